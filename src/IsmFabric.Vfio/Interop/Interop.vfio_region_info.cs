using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct vfio_region_info (VFIO_DEVICE_GET_REGION_INFO).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 32)]
    internal struct vfio_region_info
    {
        [FieldOffset(0)] internal uint argsz;
        [FieldOffset(4)] internal uint flags;
        [FieldOffset(8)] internal uint index;
        [FieldOffset(12)] internal uint cap_offset;
        [FieldOffset(16)] internal ulong size;
        [FieldOffset(24)] internal ulong offset;
    }
}
