using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct vfio_irq_info (VFIO_DEVICE_GET_IRQ_INFO).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    internal struct vfio_irq_info
    {
        [FieldOffset(0)] internal uint argsz;
        [FieldOffset(4)] internal uint flags;
        [FieldOffset(8)] internal uint index;
        [FieldOffset(12)] internal uint count;
    }
}
