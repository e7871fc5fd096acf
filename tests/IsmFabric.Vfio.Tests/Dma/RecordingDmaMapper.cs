namespace IsmFabric.Vfio.Tests;

/// <summary>An IOMMU stand-in that records maps and unmaps into a shared event log.</summary>
internal sealed class RecordingDmaMapper(List<string> log, params IovaRange[] ranges) : IDmaMapper
{
    public IReadOnlyList<IovaRange> IovaRanges { get; } = ranges;

    public Dictionary<ulong, (nint Address, ulong Length)> Mappings { get; } = [];

    public int FailNextUnmapWith { get; set; }

    public void Map(nint address, ulong iova, ulong length)
    {
        Mappings.Add(iova, (address, length));
        log.Add($"map 0x{iova:x} {length}");
    }

    public void Unmap(ulong iova, ulong length)
    {
        if (FailNextUnmapWith != 0)
        {
            var errno = FailNextUnmapWith;
            FailNextUnmapWith = 0;
            throw VfioErrors.FromErrno(errno, "unmap");
        }

        if (!Mappings.Remove(iova, out var mapping) || mapping.Length != length)
        {
            throw new InvalidOperationException($"unmap of 0x{iova:x} {length} that was not mapped so");
        }

        log.Add($"unmap 0x{iova:x} {length}");
    }

    public void Dispose() => log.Add("mapper disposed");
}
