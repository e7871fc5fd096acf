using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct vfio_iommu_type1_dma_unmap (VFIO_IOMMU_UNMAP_DMA); on return size holds the bytes unmapped.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    internal struct vfio_iommu_type1_dma_unmap
    {
        [FieldOffset(0)] internal uint argsz;
        [FieldOffset(4)] internal uint flags;
        [FieldOffset(8)] internal ulong iova;
        [FieldOffset(16)] internal ulong size;
    }
}
