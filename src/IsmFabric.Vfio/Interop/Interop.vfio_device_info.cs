using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>
    /// struct vfio_device_info (VFIO_DEVICE_GET_INFO), current layout with the trailing pad (24 bytes). Headers
    /// before the pad end at cap_offset (20 bytes); the kernel accepts any argsz from 16 up.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    internal struct vfio_device_info
    {
        internal const uint VFIO_DEVICE_FLAGS_CAPS = 1 << 7;

        [FieldOffset(0)] internal uint argsz;
        [FieldOffset(4)] internal uint flags;
        [FieldOffset(8)] internal uint num_regions;
        [FieldOffset(12)] internal uint num_irqs;
        [FieldOffset(16)] internal uint cap_offset;
        [FieldOffset(20)] internal uint pad;
    }
}
