using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct vfio_group_status (VFIO_GROUP_GET_STATUS).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    internal struct vfio_group_status
    {
        internal const uint VFIO_GROUP_FLAGS_VIABLE = 1 << 0;
        internal const uint VFIO_GROUP_FLAGS_CONTAINER_SET = 1 << 1;

        [FieldOffset(0)] internal uint argsz;
        [FieldOffset(4)] internal uint flags;
    }
}
