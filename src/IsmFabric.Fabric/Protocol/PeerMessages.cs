namespace IsmFabric.Fabric.Protocol;

/// <summary>The devices that are up now (to peer actors).</summary>
internal sealed record DevicesChanged(List<DeviceUp> Devices);

/// <summary>A test-link response from a peer GID.</summary>
internal sealed record KeepaliveAnswer(ulong Gid, uint Sequence);

/// <summary>Firmware (or the peer) says a GID is gone.</summary>
internal sealed record GidDown(ulong Gid, string Reason);

/// <summary>A peer actor's routes that are up, for the node and the channels; <paramref name="Quiet"/> when only timings changed.</summary>
internal sealed record PeerRoutes(string Peer, List<ChannelRoute> Routes, DateTimeOffset? LastSeen, double? RttMicroseconds, bool Quiet);
