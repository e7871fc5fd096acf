namespace IsmFabric.Vfio;

/// <summary>
/// Private anonymous mappings (zeroed by the kernel), naturally aligned by over-mapping and trimming the head and the
/// tail, and excluded from fork so pinned pages never turn copy-on-write.
/// </summary>
internal sealed unsafe class AnonymousHostMemory : IHostMemory
{
    /// <summary>The one instance; it holds no state.</summary>
    internal static readonly AnonymousHostMemory Instance = new();

    private AnonymousHostMemory()
    {
    }

    /// <inheritdoc />
    public nint Allocate(ulong length, ulong alignment)
    {
        var page = (ulong)Environment.SystemPageSize;
        if (length == 0 || length % page != 0 || alignment < page || !ulong.IsPow2(alignment))
        {
            throw new ArgumentException($"length {length} must be whole pages and alignment {alignment} a power of two of at least a page");
        }

        var span = checked(length + alignment - page);
        var raw = Interop.mmap(null, (nuint)span, Interop.PROT_READ | Interop.PROT_WRITE, Interop.MAP_PRIVATE | Interop.MAP_ANONYMOUS, -1, 0);
        if ((nint)raw == Interop.MAP_FAILED)
        {
            Interop.ThrowForLastError("mmap", $"{span} bytes of anonymous memory for a DMA buffer");
        }

        var start = (ulong)raw;
        var aligned = (start + alignment - 1) & ~(alignment - 1);
        var head = aligned - start;
        var tail = span - head - length;
        if (head != 0)
        {
            _ = Interop.munmap(raw, (nuint)head);
        }

        if (tail != 0)
        {
            _ = Interop.munmap((void*)(aligned + length), (nuint)tail);
        }

        if (Interop.madvise((void*)aligned, (nuint)length, Interop.MADV_DONTFORK) != 0)
        {
            var errno = Interop.LastErrno;
            _ = Interop.munmap((void*)aligned, (nuint)length);
            throw VfioErrors.FromErrno(errno, "madvise(MADV_DONTFORK)", $"DMA buffer of {length} bytes");
        }

        return (nint)aligned;
    }

    /// <inheritdoc />
    public void Free(nint address, ulong length)
    {
        if (Interop.munmap((void*)address, (nuint)length) != 0)
        {
            Interop.ThrowForLastError("munmap", $"DMA buffer at 0x{address:x}, {length} bytes");
        }
    }
}
