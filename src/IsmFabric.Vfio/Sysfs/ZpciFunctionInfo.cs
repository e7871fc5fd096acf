namespace IsmFabric.Vfio;

/// <summary>One PCI function as sysfs describes it, with its zPCI attributes (arch/s390/pci/pci_sysfs.c).</summary>
/// <param name="Address">The PCI address (the sysfs directory name).</param>
/// <param name="Vendor">PCI vendor id (<c>vendor</c>).</param>
/// <param name="Device">PCI device id (<c>device</c>).</param>
/// <param name="FunctionId">zPCI function id, FID (<c>function_id</c>).</param>
/// <param name="Pchid">Physical channel id (<c>pchid</c>); for ISM, the fabric (CHID).</param>
/// <param name="Uid">User-defined id (<c>uid</c>).</param>
/// <param name="Vfn">Virtual function number (<c>vfn</c>).</param>
/// <param name="Pft">PCI function type (<c>pft</c>); 0x05 for ISM.</param>
/// <param name="UtilString">The raw 64-byte EBCDIC utility string, or null when the function has none.</param>
/// <param name="Pnetids">The four PNETIDs decoded from the utility string ("" for an unset port); empty without one.</param>
/// <param name="Driver">The bound driver (basename of the <c>driver</c> link), or null when unbound.</param>
/// <param name="IommuGroup">The IOMMU group number (basename of the <c>iommu_group</c> link), or null without an IOMMU.</param>
/// <param name="VfioDevice">The cdev name under <c>vfio-dev/</c> ("vfio0") while bound to a VFIO driver, else null.</param>
public sealed record ZpciFunctionInfo(
    PciAddress Address,
    ushort Vendor,
    ushort Device,
    uint FunctionId,
    ushort Pchid,
    uint Uid,
    ushort Vfn,
    byte Pft,
    byte[]? UtilString,
    IReadOnlyList<string> Pnetids,
    string? Driver,
    int? IommuGroup,
    string? VfioDevice)
{
    /// <summary>The PNETID of port 0, the one ISM uses; null when the function has no utility string.</summary>
    public string? Pnetid => Pnetids.Count > 0 ? Pnetids[0] : null;
}
