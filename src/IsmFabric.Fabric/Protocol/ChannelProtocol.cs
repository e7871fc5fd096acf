using IsmFabric.Ism;

namespace IsmFabric.Fabric.Protocol;

// Between channel actors, the channel negotiation supervisor and the failover coordinator.

/// <summary>Open a channel to a configured peer; the answer is the channel or <see cref="ChannelOpenFailed"/>.</summary>
internal sealed record OpenChannel(string Peer);

/// <summary>A channel actor follows the routes to its peer (to the failover coordinator).</summary>
internal sealed record FollowRoutes(string Peer);

/// <summary>The path a channel runs on now (to the failover coordinator).</summary>
internal sealed record PathInUse(uint Fid, Gid PeerGid, DmbToken Local, DmbToken Remote);

/// <summary>Something broke the channel's path (from the failover coordinator).</summary>
internal sealed record PathTrouble(string Reason, uint? FailedFid, Gid? FailedPeerGid, DmbToken? FailedToken = null);

/// <summary>The routes to the channel's peer changed; <paramref name="Recovered"/> are functions that came back.</summary>
internal sealed record RoutesChanged(IReadOnlyList<ChannelRoute> Routes, IReadOnlySet<uint> Recovered);

/// <summary>A channel's state for listings and the ledger.</summary>
internal sealed record ChannelReport(ChannelKey Key, ChannelStatus Status);

/// <summary>A peer opened a channel to this node; a service may claim it.</summary>
internal sealed record ChannelAccepted(IFabricChannel Channel);
