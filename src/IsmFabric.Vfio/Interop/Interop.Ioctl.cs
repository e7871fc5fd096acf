using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    // glibc declares ioctl(int, unsigned long, ...). Variadic integer and pointer arguments travel like fixed ones on
    // x86_64 SysV and s390x ELF, so a fixed third argument is sound there (docs/kernel-vfio.md).
    [LibraryImport(Libraries.Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static unsafe partial int ioctl(SafeFdHandle fd, nuint request, void* argument);

    // VFIO_CHECK_EXTENSION and VFIO_SET_IOMMU take their argument by value, not through a pointer.
    [LibraryImport(Libraries.Libc, EntryPoint = "ioctl", SetLastError = true)]
    internal static partial int ioctl(SafeFdHandle fd, nuint request, nint value);
}
