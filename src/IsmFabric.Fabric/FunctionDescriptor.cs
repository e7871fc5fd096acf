namespace IsmFabric.Fabric;

/// <summary>An ISM function a node may manage, as discovery found it (before it is opened).</summary>
/// <param name="Name">PCI address or emulated name.</param>
/// <param name="Fid">zPCI function id.</param>
/// <param name="Chid">CHID.</param>
/// <param name="Pnetid">PNETID (port 0).</param>
public sealed record FunctionDescriptor(string Name, uint Fid, ushort Chid, string Pnetid);
