namespace IsmFabric.Cli.Commands;

/// <summary>One line of <c>ismfabric devices</c>: an ISM function a node on this LPAR would manage.</summary>
/// <param name="Name">PCI address (real) or emulated function name.</param>
/// <param name="Source">"sysfs" or "emulated".</param>
/// <param name="Fid">zPCI function id.</param>
/// <param name="Chid">CHID (pchid).</param>
/// <param name="Gid">GID, when known without bringing the function up (emulated only).</param>
/// <param name="Pnetid">PNETID of port 0.</param>
/// <param name="State">Driver binding (real) or function state (emulated).</param>
/// <param name="IommuGroup">IOMMU group (real only).</param>
internal sealed record IsmDeviceEntry(string Name, string Source, uint Fid, ushort Chid, string? Gid, string Pnetid, string State, int? IommuGroup);
