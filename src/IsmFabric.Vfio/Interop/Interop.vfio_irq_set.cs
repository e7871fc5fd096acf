using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>
    /// struct vfio_irq_set (VFIO_DEVICE_SET_IRQS) without its flexible data[]: 20 bytes; with one eventfd appended
    /// the call is 24 bytes.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 20)]
    internal struct vfio_irq_set
    {
        internal const uint VFIO_IRQ_SET_DATA_NONE = 1 << 0;
        internal const uint VFIO_IRQ_SET_DATA_BOOL = 1 << 1;
        internal const uint VFIO_IRQ_SET_DATA_EVENTFD = 1 << 2;
        internal const uint VFIO_IRQ_SET_ACTION_MASK = 1 << 3;
        internal const uint VFIO_IRQ_SET_ACTION_UNMASK = 1 << 4;
        internal const uint VFIO_IRQ_SET_ACTION_TRIGGER = 1 << 5;

        [FieldOffset(0)] internal uint argsz;
        [FieldOffset(4)] internal uint flags;
        [FieldOffset(8)] internal uint index;
        [FieldOffset(12)] internal uint start;
        [FieldOffset(16)] internal uint count;
    }
}
