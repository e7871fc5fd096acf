using System.Buffers.Binary;
using IsmFabric.Vfio;

namespace IsmFabric.Ism;

/// <summary>The registered IEQ page and the driver's read index into it: drains new events with the kernel's index rule.</summary>
/// <remarks>Owns the page; one draining thread at a time.</remarks>
/// <param name="page">The page registered with REG_IEQ (its first <see cref="IsmFunction.IeqLength"/> bytes).</param>
/// <param name="answer">Called on each event before the handler sees it (the function answers test-link requests there).</param>
internal sealed unsafe class IeqReader(DmaBuffer page, Func<IsmEvent, IsmEvent> answer) : IDisposable
{
    private const int IeqHeaderSize = 32;
    private const int IeqEntrySize = 32;
    private const int IeqEntries = (IsmFunction.IeqLength - IeqHeaderSize) / IeqEntrySize;

    // The last entry read (the kernel's ieq_idx); -1 before the first, as after REG_IEQ.
    private long _ieqIndex = -1;

    /// <summary>The device address of the page, for REG_IEQ.</summary>
    internal ulong Iova => page.Iova;

    /// <summary>
    /// Hands every entry up to the header's index to <paramref name="handler"/>, in the order the device wrote them.
    /// Bounded by the number of entries, so a corrupt index is reported to the handler and can never make this spin.
    /// </summary>
    internal void Drain(IIsmInterruptHandler handler)
    {
        var ieq = (byte*)page.Address;
        var head = Volatile.Read(ref *(ulong*)ieq);
        head = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(head) : head;
        if (head > IeqEntries)
        {
            handler.OnError($"IEQ index {head} is out of range 0..{IeqEntries}; events skipped");
            return;
        }

        if (head == 0)
        {
            // 0 means nothing was written yet (spec §3.4: the index never goes back to 0). After events were read, the
            // loop below would hand out all 15 entries again as new, stale ones included (found by BrokenDeviceProperties).
            if (_ieqIndex >= 0)
            {
                handler.OnError($"IEQ index went back to 0 after entry {_ieqIndex} was read; events skipped");
            }

            return;
        }

        // Spec §3.4, the kernel's loop: advance while ieq_idx + 1 != header.idx, wrapping after the last entry.
        // Bounded by the number of entries, so a corrupt index can never make this spin.
        for (var n = 0; n < IeqEntries && _ieqIndex + 1 != (long)head; n++)
        {
            _ieqIndex++;
            if (_ieqIndex == IeqEntries)
            {
                _ieqIndex = 0;
            }

            var entry = new ReadOnlySpan<byte>(ieq + IeqHeaderSize + (_ieqIndex * IeqEntrySize), IeqEntrySize);
            var ev = new IsmEvent(
                (IsmEventType)BinaryPrimitives.ReadUInt32BigEndian(entry),
                BinaryPrimitives.ReadUInt32BigEndian(entry[4..]),
                BinaryPrimitives.ReadUInt64BigEndian(entry[8..]),
                BinaryPrimitives.ReadUInt64BigEndian(entry[16..]),
                BinaryPrimitives.ReadUInt64BigEndian(entry[24..]));
            handler.OnEvent(answer(ev));
        }

        if (_ieqIndex + 1 != (long)head && head != 0)
        {
            handler.OnError($"IEQ index {head} could not be reached from {_ieqIndex} within {IeqEntries} entries");
            _ieqIndex = (long)head - 1;
        }
    }

    public void Dispose() => page.Dispose();
}
