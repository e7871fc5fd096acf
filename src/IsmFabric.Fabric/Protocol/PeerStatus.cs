namespace IsmFabric.Fabric.Protocol;

/// <summary>One configured peer (<c>ismfabric peers</c>).</summary>
/// <param name="Name">Peer name.</param>
/// <param name="Gids">Its GIDs (hex).</param>
/// <param name="Reachable">Answering keepalives on at least one path.</param>
/// <param name="ReachableGids">The GIDs answering.</param>
/// <param name="LastSeen">Last keepalive answer.</param>
/// <param name="KeepaliveRttMicroseconds">Last keepalive round trip.</param>
/// <param name="Channels">Channels open to it.</param>
public sealed record PeerStatus(
    string Name, IReadOnlyList<string> Gids, bool Reachable, IReadOnlyList<string> ReachableGids, DateTimeOffset? LastSeen,
    double? KeepaliveRttMicroseconds, int Channels);
