using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>A vfio_irq_set carrying exactly one __s32 eventfd in data[]: what MSI enable sends (argsz 24).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    internal struct vfio_irq_set_eventfd
    {
        [FieldOffset(0)] internal vfio_irq_set header;
        [FieldOffset(20)] internal int eventfd;
    }
}
