namespace IsmFabric.Vfio;

/// <summary>The one place where an errno becomes a typed <see cref="VfioException"/>, for the kernel and emulated paths alike.</summary>
public static class VfioErrors
{
    /// <summary>Returns the typed exception for <paramref name="errno"/> raised by <paramref name="operation"/>.</summary>
    public static VfioException FromErrno(int errno, string operation, string? detail = null) => errno switch
    {
        Errno.EINVAL => new VfioInvalidArgumentException(operation, detail),
        Errno.EIO => new VfioIoException(operation, detail),
        Errno.ENODEV or Errno.ENXIO => new VfioDeviceUnavailableException(errno, operation, detail),
        Errno.EBUSY => new VfioBusyException(operation, detail),
        Errno.EPERM or Errno.EACCES => new VfioPermissionDeniedException(errno, operation, detail),
        Errno.ENOTTY or Errno.EOPNOTSUPP => new VfioNotSupportedException(errno, operation, detail),
        Errno.ENOMEM or Errno.ENOSPC => new VfioResourceExhaustedException(errno, operation, detail),
        _ => new VfioException(errno, operation, detail),
    };
}
