namespace IsmFabric.Vfio;

/// <summary>The answer of VFIO_DEVICE_GET_REGION_INFO: where a region sits in the device fd and what it allows.</summary>
/// <param name="Index">The region index (BAR0-5 = 0-5, ROM 6, CONFIG 7, VGA 8).</param>
/// <param name="Flags">READ, WRITE, MMAP, CAPS.</param>
/// <param name="Size">Size in bytes; 0 for an absent BAR.</param>
/// <param name="Offset">The fd offset of the region's first byte, as the kernel reports it.</param>
public readonly record struct VfioRegionInfo(uint Index, VfioRegionFlags Flags, ulong Size, long Offset)
{
    /// <summary>True when the region exists (a non-zero size).</summary>
    public bool IsPresent => Size != 0;
}
