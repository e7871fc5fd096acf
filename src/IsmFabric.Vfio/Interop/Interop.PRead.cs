using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    // off_t is 64 bits on LP64 Linux (checked by the ABI test).
    [LibraryImport(Libraries.Libc, EntryPoint = "pread", SetLastError = true)]
    internal static unsafe partial nint pread(SafeFdHandle fd, void* buffer, nuint count, long offset);
}
