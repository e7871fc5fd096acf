namespace IsmFabric.Vfio;

/// <summary>
/// First-fit allocator of naturally aligned IOVA blocks inside a set of usable ranges. IOVA 0 is never handed out:
/// a zero DMA address reads as "none" to too many devices.
/// </summary>
internal sealed class IovaAllocator
{
    private readonly IovaRange[] _ranges;

    // Allocated blocks, start -> last (inclusive), in address order.
    private readonly SortedList<ulong, ulong> _used = [];

    /// <summary>Creates an allocator over <paramref name="ranges"/> (they may arrive unsorted; overlaps are merged).</summary>
    internal IovaAllocator(IEnumerable<IovaRange> ranges)
    {
        var sorted = ranges.OrderBy(r => r.Start).ToList();
        var merged = new List<IovaRange>();
        foreach (var r in sorted)
        {
            if (merged.Count > 0 && (merged[^1].Last == ulong.MaxValue || r.Start <= merged[^1].Last + 1))
            {
                merged[^1] = merged[^1] with { Last = Math.Max(merged[^1].Last, r.Last) };
            }
            else
            {
                merged.Add(r);
            }
        }

        _ranges = [.. merged];
    }

    /// <summary>The usable ranges, sorted and merged.</summary>
    internal IReadOnlyList<IovaRange> Ranges => _ranges;

    /// <summary>The intersection of a device's DMA window with the IOMMU's ranges; the IOMMU ranges alone without a window.</summary>
    internal static IEnumerable<IovaRange> Usable(IovaRange? window, IEnumerable<IovaRange> iommuRanges) =>
        window is { } w ? iommuRanges.Select(r => r.Intersect(w)).OfType<IovaRange>() : iommuRanges;

    /// <summary>Finds the lowest free block of <paramref name="length"/> bytes starting on a multiple of <paramref name="alignment"/>.</summary>
    internal bool TryAllocate(ulong length, ulong alignment, out ulong iova)
    {
        if (length == 0 || alignment == 0 || !ulong.IsPow2(alignment))
        {
            throw new ArgumentException($"length {length} must be positive and alignment {alignment} a power of two");
        }

        foreach (var range in _ranges)
        {
            if (!TryAlignUp(Math.Max(range.Start, 1), alignment, out var candidate))
            {
                continue;
            }

            var placed = true;
            foreach (var (start, last) in _used)
            {
                if (!Fits(candidate, length, range.Last))
                {
                    placed = false;
                    break;
                }

                if (last < candidate)
                {
                    continue;
                }

                if (start > candidate + length - 1)
                {
                    break;
                }

                // Overlaps an allocated block: move past it.
                if (last == ulong.MaxValue || !TryAlignUp(last + 1, alignment, out candidate))
                {
                    placed = false;
                    break;
                }
            }

            if (placed && Fits(candidate, length, range.Last))
            {
                _used.Add(candidate, candidate + length - 1);
                iova = candidate;
                return true;
            }
        }

        iova = 0;
        return false;
    }

    /// <summary>Returns a block obtained from <see cref="TryAllocate"/>.</summary>
    internal void Free(ulong iova)
    {
        if (!_used.Remove(iova))
        {
            throw new InvalidOperationException($"IOVA 0x{iova:x} was not allocated");
        }
    }

    private static bool Fits(ulong start, ulong length, ulong last) =>
        start <= last && last - start >= length - 1;

    private static bool TryAlignUp(ulong value, ulong alignment, out ulong aligned)
    {
        var mask = alignment - 1;
        if (value > ulong.MaxValue - mask)
        {
            aligned = 0;
            return false;
        }

        aligned = (value + mask) & ~mask;
        return true;
    }
}
