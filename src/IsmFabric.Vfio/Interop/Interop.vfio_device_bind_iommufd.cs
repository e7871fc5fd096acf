using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>
    /// struct vfio_device_bind_iommufd (VFIO_DEVICE_BIND_IOMMUFD on a cdev device fd). Kernels before the token
    /// field read only the first 16 bytes, so the 24-byte form with flags 0 works on all of them.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 24)]
    internal struct vfio_device_bind_iommufd
    {
        [FieldOffset(0)] internal uint argsz;
        [FieldOffset(4)] internal uint flags;
        [FieldOffset(8)] internal int iommufd;
        [FieldOffset(12)] internal uint out_devid;
        [FieldOffset(16)] internal ulong token_uuid_ptr;
    }
}
