using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct iommu_iova_range: one allowed IOVA interval; <c>last</c> is inclusive.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    internal struct iommu_iova_range
    {
        [FieldOffset(0)] internal ulong start;
        [FieldOffset(8)] internal ulong last;
    }
}
