using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

/// <summary>An owned Linux file descriptor; closing it is the kernel's cue to tear down what hangs off it.</summary>
internal sealed class SafeFdHandle : SafeHandle
{
    /// <summary>Creates an invalid handle.</summary>
    public SafeFdHandle()
        : base(new IntPtr(-1), ownsHandle: true)
    {
    }

    /// <summary>Wraps a descriptor returned by open, eventfd or an ioctl (VFIO_GROUP_GET_DEVICE_FD); -1 is invalid.</summary>
    internal SafeFdHandle(int fd)
        : base(new IntPtr(-1), ownsHandle: true) => SetHandle(fd);

    /// <inheritdoc />
    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The descriptor number, for ioctls that take a descriptor as data (SET_CONTAINER, BIND_IOMMUFD).</summary>
    internal int Fd => (int)handle.ToInt64();

    /// <inheritdoc />
    protected override bool ReleaseHandle()
    {
        // Linux releases the descriptor even when close reports EINTR or EIO; retrying could close a reused number.
        _ = Interop.close(Fd);
        return true;
    }
}
