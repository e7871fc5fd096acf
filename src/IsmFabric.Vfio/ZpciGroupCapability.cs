namespace IsmFabric.Vfio;

/// <summary>vfio_device_info_cap_zpci_group (id 2): limits shared by a function group.</summary>
/// <param name="Version">Capability version (2 carries <paramref name="Imaxstbl"/>).</param>
/// <param name="Dasm">DMA address space mask.</param>
/// <param name="MsiAddress">MSI address.</param>
/// <param name="Flags">VFIO_DEVICE_INFO_ZPCI_FLAG_* (REFRESH = 1).</param>
/// <param name="Mui">Measurement update interval.</param>
/// <param name="Noi">Number of interrupts.</param>
/// <param name="Maxstbl">Generic maximum store block length (ZPCI_MAX_WRITE_SIZE).</param>
/// <param name="GroupVersion">The function group's version byte.</param>
/// <param name="Imaxstbl">The device's own maximum store block length: the write limit of the ISM variant driver.</param>
public sealed record ZpciGroupCapability(
    ushort Version, ulong Dasm, ulong MsiAddress, ulong Flags, ushort Mui, ushort Noi, ushort Maxstbl,
    byte GroupVersion, ushort Imaxstbl);
