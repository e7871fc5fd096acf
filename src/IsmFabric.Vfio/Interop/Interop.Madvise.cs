using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>MADV_DONTFORK from sys/mman.h: a forked child does not inherit the range.</summary>
    internal const int MADV_DONTFORK = 10;

    // Pinned DMA pages must not become copy-on-write in a forked child (the device would keep writing the
    // parent's old page); rdma-core and DPDK mark their DMA memory the same way.
    [LibraryImport(Libraries.Libc, EntryPoint = "madvise", SetLastError = true)]
    internal static unsafe partial int madvise(void* address, nuint length, int advice);
}
