using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct iommu_ioas_iova_ranges (IOMMU_IOAS_IOVA_RANGES): EMSGSIZE plus the needed num_iovas when the array is too small.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    internal struct iommu_ioas_iova_ranges
    {
        [FieldOffset(0)] internal uint size;
        [FieldOffset(4)] internal uint ioas_id;
        [FieldOffset(8)] internal uint num_iovas;
        [FieldOffset(12)] internal uint __reserved;
        [FieldOffset(16)] internal ulong allowed_iovas;
        [FieldOffset(24)] internal ulong out_iova_alignment;
    }
}
