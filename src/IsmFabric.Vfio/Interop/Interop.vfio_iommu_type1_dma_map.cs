using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct vfio_iommu_type1_dma_map (VFIO_IOMMU_MAP_DMA).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    internal struct vfio_iommu_type1_dma_map
    {
        internal const uint VFIO_DMA_MAP_FLAG_READ = 1 << 0;
        internal const uint VFIO_DMA_MAP_FLAG_WRITE = 1 << 1;

        [FieldOffset(0)] internal uint argsz;
        [FieldOffset(4)] internal uint flags;
        [FieldOffset(8)] internal ulong vaddr;
        [FieldOffset(16)] internal ulong iova;
        [FieldOffset(24)] internal ulong size;
    }
}
