namespace IsmFabric.Vfio;

/// <summary>VFIO_IRQ_INFO_* flags from linux/vfio.h.</summary>
[Flags]
public enum VfioIrqInfoFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary>VFIO_IRQ_INFO_EVENTFD.</summary>
    Eventfd = 1,
    /// <summary>VFIO_IRQ_INFO_MASKABLE.</summary>
    Maskable = 2,
    /// <summary>VFIO_IRQ_INFO_AUTOMASKED.</summary>
    Automasked = 4,
    /// <summary>VFIO_IRQ_INFO_NORESIZE.</summary>
    NoResize = 8,
}
