using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct vfio_iommu_type1_info (VFIO_IOMMU_GET_INFO on the container).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    internal struct vfio_iommu_type1_info
    {
        internal const uint VFIO_IOMMU_INFO_PGSIZES = 1 << 0;
        internal const uint VFIO_IOMMU_INFO_CAPS = 1 << 1;

        /// <summary>VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE.</summary>
        internal const ushort VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE = 1;

        [FieldOffset(0)] internal uint argsz;
        [FieldOffset(4)] internal uint flags;
        [FieldOffset(8)] internal ulong iova_pgsizes;
        [FieldOffset(16)] internal uint cap_offset;
    }
}
