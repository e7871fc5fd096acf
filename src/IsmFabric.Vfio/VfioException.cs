namespace IsmFabric.Vfio;

/// <summary>
/// A VFIO operation failed with an errno. Use <see cref="VfioErrors.FromErrno"/> to get the typed subclass; catch
/// this type to handle every VFIO failure.
/// </summary>
public class VfioException : IOException
{
    /// <summary>Creates the exception for <paramref name="errno"/> raised by <paramref name="operation"/>.</summary>
    public VfioException(int errno, string operation, string? detail = null)
        : base(Format(errno, operation, detail))
    {
        Errno = errno;
        Operation = operation;
        HResult = errno;
    }

    /// <summary>The errno value (EINVAL = 22, …).</summary>
    public int Errno { get; }

    /// <summary>What was attempted: the ioctl, pread, pwrite, open, with its target.</summary>
    public string Operation { get; }

    private static string Format(int errno, string operation, string? detail) =>
        detail is null
            ? $"{operation} failed: {Vfio.Errno.Name(errno)}"
            : $"{operation} failed: {Vfio.Errno.Name(errno)} ({detail})";
}

/// <summary>EINVAL: the kernel or the emulated device rejected an argument (an index, an offset, a length).</summary>
public sealed class VfioInvalidArgumentException(string operation, string? detail = null)
    : VfioException(Vfio.Errno.EINVAL, operation, detail);

/// <summary>EIO: the PCI instruction behind the access failed (device in error state, failed store or load).</summary>
public sealed class VfioIoException(string operation, string? detail = null)
    : VfioException(Vfio.Errno.EIO, operation, detail);

/// <summary>ENODEV or ENXIO: the device is gone (unplugged, unbound, or the fd refers to nothing).</summary>
public sealed class VfioDeviceUnavailableException(int errno, string operation, string? detail = null)
    : VfioException(errno, operation, detail);

/// <summary>EBUSY: the device or group is in use elsewhere.</summary>
public sealed class VfioBusyException(string operation, string? detail = null)
    : VfioException(Vfio.Errno.EBUSY, operation, detail);

/// <summary>EPERM or EACCES: not allowed (file permissions, RLIMIT_MEMLOCK, a non-viable group).</summary>
public sealed class VfioPermissionDeniedException(int errno, string operation, string? detail = null)
    : VfioException(errno, operation, detail);

/// <summary>ENOTTY or EOPNOTSUPP: the device or kernel does not support the operation.</summary>
public sealed class VfioNotSupportedException(int errno, string operation, string? detail = null)
    : VfioException(errno, operation, detail);

/// <summary>ENOMEM or ENOSPC: no memory, IOVA space or device resources left.</summary>
public sealed class VfioResourceExhaustedException(int errno, string operation, string? detail = null)
    : VfioException(errno, operation, detail);
