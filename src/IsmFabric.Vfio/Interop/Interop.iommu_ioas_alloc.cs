using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct iommu_ioas_alloc (IOMMU_IOAS_ALLOC).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 12)]
    internal struct iommu_ioas_alloc
    {
        [FieldOffset(0)] internal uint size;
        [FieldOffset(4)] internal uint flags;
        [FieldOffset(8)] internal uint out_ioas_id;
    }
}
