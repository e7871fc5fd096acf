using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>
    /// struct vfio_device_attach_iommufd_pt (VFIO_DEVICE_ATTACH_IOMMUFD_PT). pt_id is the IOAS on input and the
    /// hardware page table actually used on output; pasid is read only with VFIO_DEVICE_ATTACH_PASID.
    /// </summary>
    [StructLayout(LayoutKind.Explicit, Size = 16)]
    internal struct vfio_device_attach_iommufd_pt
    {
        [FieldOffset(0)] internal uint argsz;
        [FieldOffset(4)] internal uint flags;
        [FieldOffset(8)] internal uint pt_id;
        [FieldOffset(12)] internal uint pasid;
    }
}
