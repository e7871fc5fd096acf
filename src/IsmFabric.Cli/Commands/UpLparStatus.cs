using IsmFabric.Fabric.Protocol;

namespace IsmFabric.Cli.Commands;

/// <summary>What <c>ismfabric up</c> knows of one LPAR's node: its status, devices and peers as its control socket answered.</summary>
/// <param name="Lpar">The LPAR.</param>
/// <param name="Pid">The node process.</param>
/// <param name="Status">The node's status.</param>
/// <param name="Devices">Its devices.</param>
/// <param name="Peers">Its peers.</param>
internal sealed record UpLparStatus(string Lpar, int Pid, NodeStatus Status, IReadOnlyList<DeviceStatus> Devices, IReadOnlyList<PeerStatus> Peers);
