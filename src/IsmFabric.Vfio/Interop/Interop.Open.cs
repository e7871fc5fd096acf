using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>O_WRONLY from fcntl.h.</summary>
    internal const int O_WRONLY = 0x1;

    /// <summary>O_RDWR from fcntl.h.</summary>
    internal const int O_RDWR = 0x2;

    /// <summary>O_CLOEXEC from fcntl.h (02000000 on x86_64 and s390x alike).</summary>
    internal const int O_CLOEXEC = 0x80000;

    /// <summary>open(2); the handle is invalid on failure and <see cref="LastErrno"/> says why.</summary>
    internal static SafeFdHandle open(string pathname, int flags, int mode) => new(OpenRaw(pathname, flags, mode));

    // open(2) is variadic in glibc; a fixed three-argument import is passed the same way on x86_64 and s390x.
    // It returns a C int, so it cannot be marshalled to a SafeHandle directly (that reads a pointer-sized value).
    [LibraryImport(Libraries.Libc, EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int OpenRaw(string pathname, int flags, int mode);
}
