using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    [LibraryImport(Libraries.Libc, EntryPoint = "pwrite", SetLastError = true)]
    internal static unsafe partial nint pwrite(SafeFdHandle fd, void* buffer, nuint count, long offset);
}
