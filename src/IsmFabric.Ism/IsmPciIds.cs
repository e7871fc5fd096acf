namespace IsmFabric.Ism;

/// <summary>How an ISM function identifies itself on PCI and zPCI (spec §1).</summary>
public static class IsmPciIds
{
    /// <summary>PCI_VENDOR_ID_IBM.</summary>
    public const ushort Vendor = 0x1014;

    /// <summary>PCI_DEVICE_ID_IBM_ISM.</summary>
    public const ushort Device = 0x04ED;

    /// <summary>PCI_FUNC_TYPE_ISM, the zPCI function type.</summary>
    public const byte FunctionType = 0x05;

    /// <summary>The vfio variant driver's name (driver_override).</summary>
    public const string VfioDriver = "ism_vfio_pci";
}
