namespace IsmFabric.Vfio;

/// <summary>Ioctl helpers that turn a failure into the typed exception, naming the request and the file.</summary>
internal static unsafe class VfioFileExtensions
{
    /// <summary>ioctl with a pointer argument; throws on failure.</summary>
    internal static int IoctlOrThrow(this IVfioFile file, nuint request, void* argument, string requestName, string? detail = null)
    {
        var result = file.Ioctl(request, argument, out var errno);
        if (result < 0)
        {
            throw VfioErrors.FromErrno(errno, $"{requestName} on {file.Path}", detail);
        }

        return result;
    }

    /// <summary>ioctl with a by-value argument; throws on failure.</summary>
    internal static int IoctlOrThrow(this IVfioFile file, nuint request, nint value, string requestName, string? detail = null)
    {
        var result = file.Ioctl(request, value, out var errno);
        if (result < 0)
        {
            throw VfioErrors.FromErrno(errno, $"{requestName} on {file.Path}", detail);
        }

        return result;
    }

    /// <summary>Opens a file through the kernel or throws the typed exception naming the path and a hint.</summary>
    internal static IVfioFile OpenOrThrow(this IVfioKernel kernel, string path, Func<int, string?> hint)
    {
        var file = kernel.Open(path, out var errno);
        return file ?? throw VfioErrors.FromErrno(errno, $"open {path}", hint(errno));
    }
}
