namespace IsmFabric.Fabric.Protocol;

/// <summary>The node at a glance (<c>ismfabric status</c>).</summary>
/// <param name="Node">Node name.</param>
/// <param name="StartedAt">When the node started.</param>
/// <param name="DevicesUp">Devices brought up.</param>
/// <param name="Devices">Devices discovered.</param>
/// <param name="PeersReachable">Peers answering keepalives.</param>
/// <param name="Peers">Configured peers.</param>
/// <param name="ChannelsOpen">Channels open.</param>
/// <param name="Channels">Channels known (open, opening, failing over, closed recently).</param>
public sealed record NodeStatus(
    string Node, DateTimeOffset StartedAt, int DevicesUp, int Devices, int PeersReachable, int Peers, int ChannelsOpen, int Channels);
