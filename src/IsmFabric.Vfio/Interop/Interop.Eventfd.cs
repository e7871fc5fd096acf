using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>EFD_CLOEXEC from sys/eventfd.h (= O_CLOEXEC).</summary>
    internal const int EFD_CLOEXEC = 0x80000;

    /// <summary>EFD_NONBLOCK from sys/eventfd.h (= O_NONBLOCK).</summary>
    internal const int EFD_NONBLOCK = 0x800;

    [LibraryImport(Libraries.Libc, EntryPoint = "eventfd", SetLastError = true)]
    internal static partial SafeFdHandle eventfd(uint initval, int flags);
}
