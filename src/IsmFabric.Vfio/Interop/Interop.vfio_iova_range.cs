using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct vfio_iova_range: one usable IOVA interval; <c>end</c> is inclusive.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    internal struct vfio_iova_range
    {
        [FieldOffset(0)] internal ulong start;
        [FieldOffset(8)] internal ulong end;
    }
}
