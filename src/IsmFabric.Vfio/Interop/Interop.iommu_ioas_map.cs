using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct iommu_ioas_map (IOMMU_IOAS_MAP).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    internal struct iommu_ioas_map
    {
        internal const uint IOMMU_IOAS_MAP_FIXED_IOVA = 1 << 0;
        internal const uint IOMMU_IOAS_MAP_WRITEABLE = 1 << 1;
        internal const uint IOMMU_IOAS_MAP_READABLE = 1 << 2;

        [FieldOffset(0)] internal uint size;
        [FieldOffset(4)] internal uint flags;
        [FieldOffset(8)] internal uint ioas_id;
        [FieldOffset(12)] internal uint __reserved;
        [FieldOffset(16)] internal ulong user_va;
        [FieldOffset(24)] internal ulong length;
        [FieldOffset(32)] internal ulong iova;
    }
}
