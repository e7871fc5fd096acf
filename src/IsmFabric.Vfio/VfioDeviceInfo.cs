namespace IsmFabric.Vfio;

/// <summary>The answer of VFIO_DEVICE_GET_INFO, with the zPCI capabilities decoded from its capability chain.</summary>
/// <param name="Flags">VFIO_DEVICE_FLAGS_*.</param>
/// <param name="NumRegions">Number of regions (9 plus device-specific ones on vfio-pci).</param>
/// <param name="NumIrqs">Number of IRQ indexes (5 on vfio-pci).</param>
/// <param name="ZpciBase">VFIO_DEVICE_INFO_CAP_ZPCI_BASE, when present.</param>
/// <param name="ZpciGroup">VFIO_DEVICE_INFO_CAP_ZPCI_GROUP, when present.</param>
/// <param name="ZpciUtil">VFIO_DEVICE_INFO_CAP_ZPCI_UTIL, when present.</param>
/// <param name="ZpciPfip">VFIO_DEVICE_INFO_CAP_ZPCI_PFIP, when present.</param>
public sealed record VfioDeviceInfo(
    VfioDeviceFlags Flags,
    uint NumRegions,
    uint NumIrqs,
    ZpciBaseCapability? ZpciBase,
    ZpciGroupCapability? ZpciGroup,
    ZpciUtilCapability? ZpciUtil,
    ZpciPfipCapability? ZpciPfip)
{
    /// <summary>True when VFIO_DEVICE_RESET may be called.</summary>
    public bool SupportsReset => (Flags & VfioDeviceFlags.Reset) != 0;
}
