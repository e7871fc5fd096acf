using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    [LibraryImport(Libraries.Libc, EntryPoint = "read", SetLastError = true)]
    internal static unsafe partial nint read(SafeFdHandle fd, void* buffer, nuint count);

    // For a caller that already holds a reference on the handle (DangerousAddRef) and must not fail on a
    // concurrent Dispose.
    [LibraryImport(Libraries.Libc, EntryPoint = "read", SetLastError = true)]
    internal static unsafe partial nint read(int fd, void* buffer, nuint count);
}
