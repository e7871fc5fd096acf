namespace IsmFabric.Vfio;

/// <summary>vfio_device_info_cap_zpci_pfip (id 4): the PCI function internal path segments.</summary>
/// <param name="Version">Capability version.</param>
/// <param name="Pfip">The raw path bytes.</param>
public sealed record ZpciPfipCapability(ushort Version, byte[] Pfip);
