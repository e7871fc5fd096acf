using System.Runtime.InteropServices;
using Req = IsmFabric.Vfio.Interop.VfioIoctl;

namespace IsmFabric.Vfio.Tests;

/// <summary>/dev/vfio/N: status, joining the container, and handing out the device fd by name.</summary>
internal sealed unsafe class FakeGroup(FakeVfioKernel kernel, string path, FakeContainer container, FakeDevice device)
    : FakeFile(kernel, path, "group")
{
    public bool Viable { get; set; } = true;

    protected override int Handle(nuint request, byte* argument)
    {
        switch (request)
        {
            case Req.VFIO_GROUP_GET_STATUS:
                RequireArgsz(argument, 8);
                At<Interop.vfio_group_status>(argument).flags = (Viable ? 1u : 0) | (container.GroupAttached ? 2u : 0);
                return 0;
            case Req.VFIO_GROUP_SET_CONTAINER:
                if (*(int*)argument != container.Descriptor)
                {
                    throw new ErrnoException(Errno.EBADF);
                }

                container.GroupAttached = Viable ? true : throw new ErrnoException(Errno.EPERM);
                return 0;
            case Req.VFIO_GROUP_GET_DEVICE_FD:
                // The kernel refuses device fds until the container has an IOMMU model.
                return !container.IommuSet
                    ? throw new ErrnoException(Errno.EINVAL)
                    : Marshal.PtrToStringUTF8((nint)argument) == device.DeviceName
                        ? device.Descriptor
                        : throw new ErrnoException(Errno.ENODEV);
            default:
                throw new ErrnoException(Errno.ENOTTY);
        }
    }
}
