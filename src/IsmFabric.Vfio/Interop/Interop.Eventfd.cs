using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>EFD_CLOEXEC from sys/eventfd.h (= O_CLOEXEC).</summary>
    internal const int EFD_CLOEXEC = 0x80000;

    /// <summary>EFD_NONBLOCK from sys/eventfd.h (= O_NONBLOCK).</summary>
    internal const int EFD_NONBLOCK = 0x800;

    /// <summary>eventfd(2); the handle is invalid on failure and <see cref="LastErrno"/> says why.</summary>
    internal static SafeFdHandle eventfd(uint initval, int flags) => new(EventfdRaw(initval, flags));

    // Returns a C int: wrapped by hand rather than marshalled to a SafeHandle (which reads a pointer-sized value).
    [LibraryImport(Libraries.Libc, EntryPoint = "eventfd", SetLastError = true)]
    private static partial int EventfdRaw(uint initval, int flags);
}
