namespace IsmFabric.Vfio;

/// <summary>VFIO_REGION_INFO_FLAG_* from linux/vfio.h.</summary>
[Flags]
public enum VfioRegionFlags : uint
{
    /// <summary>No access.</summary>
    None = 0,
    /// <summary>VFIO_REGION_INFO_FLAG_READ.</summary>
    Read = 1,
    /// <summary>VFIO_REGION_INFO_FLAG_WRITE.</summary>
    Write = 2,
    /// <summary>VFIO_REGION_INFO_FLAG_MMAP.</summary>
    Mmap = 4,
    /// <summary>VFIO_REGION_INFO_FLAG_CAPS.</summary>
    Caps = 8,
}
