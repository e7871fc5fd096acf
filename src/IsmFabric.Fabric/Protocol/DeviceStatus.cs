namespace IsmFabric.Fabric.Protocol;

/// <summary>One ISM function as its device actor sees it (<c>ismfabric devices</c> against a node).</summary>
/// <param name="Name">Device name.</param>
/// <param name="Fid">Function id.</param>
/// <param name="Gid">GID (hex), empty until brought up.</param>
/// <param name="Chid">CHID.</param>
/// <param name="Pnetid">PNETID.</param>
/// <param name="State">Where the device is in its life.</param>
/// <param name="Dmbs">DMBs registered.</param>
/// <param name="Restarts">Times the device was brought up again.</param>
/// <param name="LastError">The last failure, if any.</param>
public sealed record DeviceStatus(string Name, uint Fid, string Gid, ushort Chid, string Pnetid, DeviceState State, int Dmbs, int Restarts, string? LastError);
