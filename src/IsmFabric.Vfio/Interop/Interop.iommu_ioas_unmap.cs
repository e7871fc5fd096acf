using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct iommu_ioas_unmap (IOMMU_IOAS_UNMAP); on return length holds the bytes unmapped.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    internal struct iommu_ioas_unmap
    {
        [FieldOffset(0)] internal uint size;
        [FieldOffset(4)] internal uint ioas_id;
        [FieldOffset(8)] internal ulong iova;
        [FieldOffset(16)] internal ulong length;
    }
}
