using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>PROT_READ from sys/mman.h.</summary>
    internal const int PROT_READ = 0x1;

    /// <summary>PROT_WRITE from sys/mman.h.</summary>
    internal const int PROT_WRITE = 0x2;

    /// <summary>MAP_PRIVATE from sys/mman.h.</summary>
    internal const int MAP_PRIVATE = 0x2;

    /// <summary>MAP_ANONYMOUS from sys/mman.h.</summary>
    internal const int MAP_ANONYMOUS = 0x20;

    /// <summary>MAP_FAILED, ((void *) -1).</summary>
    internal static readonly nint MAP_FAILED = -1;

    [LibraryImport(Libraries.Libc, EntryPoint = "mmap", SetLastError = true)]
    internal static unsafe partial void* mmap(void* address, nuint length, int prot, int flags, int fd, long offset);
}
