namespace IsmFabric.Vfio;

/// <summary>VFIO_DEVICE_FLAGS_* from linux/vfio.h.</summary>
[Flags]
public enum VfioDeviceFlags : uint
{
    /// <summary>No flags.</summary>
    None = 0,
    /// <summary>VFIO_DEVICE_FLAGS_RESET: VFIO_DEVICE_RESET is supported.</summary>
    Reset = 1,
    /// <summary>VFIO_DEVICE_FLAGS_PCI.</summary>
    Pci = 2,
    /// <summary>VFIO_DEVICE_FLAGS_PLATFORM.</summary>
    Platform = 4,
    /// <summary>VFIO_DEVICE_FLAGS_AMBA.</summary>
    Amba = 8,
    /// <summary>VFIO_DEVICE_FLAGS_CCW.</summary>
    Ccw = 0x10,
    /// <summary>VFIO_DEVICE_FLAGS_AP.</summary>
    Ap = 0x20,
    /// <summary>VFIO_DEVICE_FLAGS_FSL_MC.</summary>
    FslMc = 0x40,
    /// <summary>VFIO_DEVICE_FLAGS_CAPS: a capability chain follows the info struct.</summary>
    Caps = 0x80,
    /// <summary>VFIO_DEVICE_FLAGS_CDX.</summary>
    Cdx = 0x100,
}
