namespace IsmFabric.Vfio;

/// <summary>The IRQ indexes of a vfio-pci device (VFIO_PCI_*_IRQ_INDEX).</summary>
public static class VfioIrqIndex
{
    /// <summary>VFIO_PCI_INTX_IRQ_INDEX (compiled out on s390).</summary>
    public const uint Intx = 0;
    /// <summary>VFIO_PCI_MSI_IRQ_INDEX: ISM uses exactly one vector here.</summary>
    public const uint Msi = 1;
    /// <summary>VFIO_PCI_MSIX_IRQ_INDEX.</summary>
    public const uint Msix = 2;
    /// <summary>VFIO_PCI_ERR_IRQ_INDEX.</summary>
    public const uint Err = 3;
    /// <summary>VFIO_PCI_REQ_IRQ_INDEX.</summary>
    public const uint Req = 4;
    /// <summary>VFIO_PCI_NUM_IRQS.</summary>
    public const uint NumIrqs = 5;
}
