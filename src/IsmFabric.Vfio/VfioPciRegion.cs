namespace IsmFabric.Vfio;

/// <summary>The fixed region indexes of a vfio-pci device (VFIO_PCI_*_REGION_INDEX).</summary>
public static class VfioPciRegion
{
    /// <summary>VFIO_PCI_BAR0_REGION_INDEX; BAR n is index n.</summary>
    public const uint Bar0 = 0;
    /// <summary>VFIO_PCI_BAR2_REGION_INDEX.</summary>
    public const uint Bar2 = 2;
    /// <summary>VFIO_PCI_BAR5_REGION_INDEX.</summary>
    public const uint Bar5 = 5;
    /// <summary>VFIO_PCI_ROM_REGION_INDEX.</summary>
    public const uint Rom = 6;
    /// <summary>VFIO_PCI_CONFIG_REGION_INDEX.</summary>
    public const uint Config = 7;
    /// <summary>VFIO_PCI_VGA_REGION_INDEX.</summary>
    public const uint Vga = 8;
    /// <summary>VFIO_PCI_NUM_REGIONS.</summary>
    public const uint NumRegions = 9;
}
