namespace IsmFabric.Emulation;

/// <summary>
/// Hands out naturally aligned power-of-two blocks of pages (4 KiB .. 1 MiB) from an LPAR's memory, so no DMA
/// buffer crosses a 1 MiB boundary, as the ISM DMA segment rules demand. Not thread-safe; the owner locks.
/// </summary>
internal sealed class BuddyAllocator
{
    private const int PageShift = 12;
    private const int MaxOrder = 8; // 2^8 pages = 1 MiB
    private readonly SortedSet<long>[] _free = new SortedSet<long>[MaxOrder + 1];

    internal BuddyAllocator(long length)
    {
        for (var o = 0; o <= MaxOrder; o++)
        {
            _free[o] = [];
        }

        for (long offset = 0; offset + (1L << (PageShift + MaxOrder)) <= length; offset += 1L << (PageShift + MaxOrder))
        {
            _free[MaxOrder].Add(offset);
        }

        Capacity = length;
    }

    internal long Capacity { get; }

    internal long BytesInUse { get; private set; }

    /// <summary>The block size a request of <paramref name="length"/> bytes gets.</summary>
    internal static int BlockSize(int length) => 1 << (PageShift + Order(length));

    private static int Order(int length)
    {
        var pages = Math.Max(1, (length + (1 << PageShift) - 1) >> PageShift);
        return 32 - int.LeadingZeroCount(pages - 1);
    }

    /// <summary>Returns the offset of a free block for <paramref name="length"/> bytes, or -1 when memory is exhausted.</summary>
    internal long Allocate(int length)
    {
        if (length <= 0 || length > 1 << (PageShift + MaxOrder))
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "DMA buffers of the emulated CEC are 1 byte .. 1 MiB");
        }

        var order = Order(length);
        var o = order;
        while (o <= MaxOrder && _free[o].Count == 0)
        {
            o++;
        }

        if (o > MaxOrder)
        {
            return -1;
        }

        var block = _free[o].Min;
        _free[o].Remove(block);
        while (o > order)
        {
            o--;
            _free[o].Add(block + (1L << (PageShift + o)));
        }

        BytesInUse += 1L << (PageShift + order);
        return block;
    }

    /// <summary>Returns a block to the free lists, merging buddies.</summary>
    internal void Free(long offset, int length)
    {
        var order = Order(length);
        BytesInUse -= 1L << (PageShift + order);
        while (order < MaxOrder)
        {
            var buddy = offset ^ (1L << (PageShift + order));
            if (!_free[order].Remove(buddy))
            {
                break;
            }

            offset = Math.Min(offset, buddy);
            order++;
        }

        _free[order].Add(offset);
    }
}
