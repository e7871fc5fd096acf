using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct vfio_iommu_type1_info_cap_iova_range without its flexible iova_ranges[] (16 bytes).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    internal struct vfio_iommu_type1_info_cap_iova_range
    {
        [FieldOffset(0)] internal vfio_info_cap_header header;
        [FieldOffset(8)] internal uint nr_iovas;
        [FieldOffset(12)] internal uint reserved;
    }
}
