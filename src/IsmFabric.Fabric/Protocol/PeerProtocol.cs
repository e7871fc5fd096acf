namespace IsmFabric.Fabric.Protocol;

/// <summary>The devices that are up now (to peer actors).</summary>
internal sealed record DevicesChanged(IReadOnlyList<DeviceUp> Devices);

/// <summary>A peer actor's routes that are up; <paramref name="Quiet"/> when only timings changed.</summary>
internal sealed record PeerRoutes(string Peer, IReadOnlyList<ChannelRoute> Routes, DateTimeOffset? LastSeen, double? RttMicroseconds, bool Quiet);
