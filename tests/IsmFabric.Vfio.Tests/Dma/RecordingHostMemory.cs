namespace IsmFabric.Vfio.Tests;

/// <summary>Real anonymous memory, with every allocation and free written to a shared event log.</summary>
internal sealed class RecordingHostMemory(List<string> log) : IHostMemory
{
    public nint Allocate(ulong length, ulong alignment)
    {
        var address = AnonymousHostMemory.Instance.Allocate(length, alignment);
        log.Add($"mmap {length} align 0x{alignment:x}");
        return address;
    }

    public void Free(nint address, ulong length)
    {
        AnonymousHostMemory.Instance.Free(address, length);
        log.Add($"munmap {length}");
    }
}
