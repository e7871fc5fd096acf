namespace IsmFabric.Vfio;

/// <summary>vfio_device_info_cap_zpci_util (id 3): the raw CLP utility string (EBCDIC, 4 ports × 16 bytes of PNETID).</summary>
/// <param name="Version">Capability version.</param>
/// <param name="UtilString">The raw bytes, EBCDIC.</param>
public sealed record ZpciUtilCapability(ushort Version, byte[] UtilString);
