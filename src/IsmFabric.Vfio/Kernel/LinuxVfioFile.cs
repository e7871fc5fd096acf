namespace IsmFabric.Vfio;

/// <summary>A descriptor owned through <see cref="SafeFdHandle"/>; system calls interrupted by a signal are retried.</summary>
internal sealed unsafe class LinuxVfioFile(SafeFdHandle handle, string path) : IVfioFile
{
    /// <inheritdoc />
    public string Path { get; } = path;

    /// <inheritdoc />
    public int Descriptor => handle.Fd;

    /// <inheritdoc />
    public int Ioctl(nuint request, void* argument, out int errno)
    {
        int result;
        do
        {
            result = Interop.ioctl(handle, request, argument);
            errno = result < 0 ? Interop.LastErrno : 0;
        }
        while (errno == Errno.EINTR);
        return result;
    }

    /// <inheritdoc />
    public int Ioctl(nuint request, nint value, out int errno)
    {
        int result;
        do
        {
            result = Interop.ioctl(handle, request, value);
            errno = result < 0 ? Interop.LastErrno : 0;
        }
        while (errno == Errno.EINTR);
        return result;
    }

    /// <inheritdoc />
    public nint PRead(Span<byte> buffer, long offset, out int errno)
    {
        nint result;
        fixed (byte* p = buffer)
        {
            do
            {
                result = Interop.pread(handle, p, (nuint)buffer.Length, offset);
                errno = result < 0 ? Interop.LastErrno : 0;
            }
            while (errno == Errno.EINTR);
        }

        return result;
    }

    /// <inheritdoc />
    public nint PWrite(ReadOnlySpan<byte> buffer, long offset, out int errno)
    {
        nint result;
        fixed (byte* p = buffer)
        {
            do
            {
                result = Interop.pwrite(handle, p, (nuint)buffer.Length, offset);
                errno = result < 0 ? Interop.LastErrno : 0;
            }
            while (errno == Errno.EINTR);
        }

        return result;
    }

    /// <inheritdoc />
    public void Dispose() => handle.Dispose();
}
