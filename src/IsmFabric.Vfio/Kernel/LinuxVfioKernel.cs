namespace IsmFabric.Vfio;

/// <summary>The real kernel: open(2) through libc.</summary>
internal sealed class LinuxVfioKernel : IVfioKernel
{
    /// <summary>The one instance; it holds no state.</summary>
    internal static readonly LinuxVfioKernel Instance = new();

    private LinuxVfioKernel()
    {
    }

    /// <inheritdoc />
    public IVfioFile? Open(string path, out int errno)
    {
        while (true)
        {
            var handle = Interop.open(path, Interop.O_RDWR | Interop.O_CLOEXEC, 0);
            if (!handle.IsInvalid)
            {
                errno = 0;
                return new LinuxVfioFile(handle, path);
            }

            errno = Interop.LastErrno;
            handle.Dispose();
            if (errno != Errno.EINTR)
            {
                return null;
            }
        }
    }

    /// <inheritdoc />
    public IVfioFile Adopt(int descriptor, string description) => new LinuxVfioFile(new SafeFdHandle(descriptor), description);
}
