namespace IsmFabric.Vfio;

/// <summary>An interval of I/O virtual addresses; both ends are inclusive (as in vfio_iova_range and iommu_iova_range).</summary>
/// <param name="Start">First IOVA.</param>
/// <param name="Last">Last IOVA, inclusive.</param>
public readonly record struct IovaRange(ulong Start, ulong Last)
{
    /// <summary>The overlap of two ranges, or null when they do not overlap.</summary>
    public IovaRange? Intersect(IovaRange other)
    {
        var start = Math.Max(Start, other.Start);
        var last = Math.Min(Last, other.Last);
        return start <= last ? new IovaRange(start, last) : null;
    }

    /// <summary>Hexadecimal, as the kernel logs ranges: "[0x100000000, 0x1ffffffff]".</summary>
    public override string ToString() => $"[0x{Start:x}, 0x{Last:x}]";
}
