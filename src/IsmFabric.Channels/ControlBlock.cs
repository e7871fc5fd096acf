using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace IsmFabric.Channels;

/// <summary>
/// The control block one side writes into the other's DMB: its producer cursor (bytes it wrote into that DMB's ring),
/// its consumer cursor (bytes it consumed from its own ring), the next frame sequence it expects, and flags.
/// </summary>
/// <remarks>
/// A store lands in no defined byte order, so a reader of live memory could see half of one block and half of the
/// next. The writer therefore alternates between two slots: it writes the block into the slot not current, then
/// in a second, later store the 8-byte pointer (update counter and slot). The reader (<see cref="TryRead"/>) reads
/// the pointer with acquire ordering, copies the slot it names, fences, and reads the pointer again: only when both
/// reads agree, and the copy carries the pointer's update counter, was the copy whole (a seqlock whose writer never
/// rewrites the slot a reader may be copying before it has moved the pointer away from it).
/// </remarks>
/// <param name="Update">Incremented by the writer at every write; 0 means "never written".</param>
/// <param name="Flags">What the writer asks of the reader.</param>
/// <param name="Producer">Bytes the writer has written into the reader's ring, in total.</param>
/// <param name="Consumer">Bytes the writer has consumed from its own ring, in total.</param>
/// <param name="ChannelId">The channel, as a guard against a DMB reused for another channel.</param>
/// <param name="ExpectedSequence">The next frame sequence the writer expects to receive (acknowledges all before it).</param>
/// <param name="PathEpoch">The path generation: bumped on every failover.</param>
public readonly record struct ControlBlock(
    uint Update, ControlFlags Flags, ulong Producer, ulong Consumer, ulong ChannelId, ulong ExpectedSequence, uint PathEpoch)
{
    /// <summary>How many times <see cref="TryRead"/> looks again while a write is landing before it gives up for now.</summary>
    private const int Attempts = 64;

    /// <summary>The slot an update is written into (updates alternate between the two).</summary>
    public static int SlotOf(uint update) => (int)(update & 1);

    /// <summary>Writes the block into a 64-byte slot (big-endian); the update counter stands at both ends.</summary>
    public void EncodeSlot(Span<byte> destination)
    {
        destination[..ChannelLayout.ControlBlockSize].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(destination, Update);
        destination[4] = ChannelLayout.Version;
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], (ushort)Flags);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Producer);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], Consumer);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], ChannelId);
        BinaryPrimitives.WriteUInt64BigEndian(destination[32..], ExpectedSequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[40..], PathEpoch);
        BinaryPrimitives.WriteUInt32BigEndian(destination[60..], Update);
    }

    /// <summary>Writes the 8-byte pointer that makes this block's slot current.</summary>
    public void EncodePointer(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, Update);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], (uint)SlotOf(Update));
    }

    /// <summary>
    /// Reads the current block from the live control area at the start of <paramref name="dmb"/>. False when it was
    /// never written, or a write kept landing during every attempt (look again later). A block of a wire format
    /// version this code does not speak, or a pointer naming no slot, is a protocol error.
    /// </summary>
    public static bool TryRead(Span<byte> dmb, out ControlBlock block)
    {
        block = default;
        if (dmb.Length < ChannelLayout.ControlAreaSize)
        {
            throw new ArgumentException($"a channel DMB is at least {ChannelLayout.ControlAreaSize} bytes", nameof(dmb));
        }

        ref var pointer = ref Unsafe.As<byte, ulong>(ref MemoryMarshal.GetReference(dmb));
        Span<byte> copy = stackalloc byte[ChannelLayout.ControlBlockSize];
        Span<byte> p = stackalloc byte[ChannelLayout.PointerSize];
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            var first = Volatile.Read(ref pointer);
            if (first == 0)
            {
                return false; // never written
            }

            MemoryMarshal.Write(p, in first);
            var update = BinaryPrimitives.ReadUInt32BigEndian(p);
            var slot = BinaryPrimitives.ReadUInt32BigEndian(p[4..]);
            if (slot > 1)
            {
                throw new ChannelProtocolException($"control pointer names slot {slot}; there are two");
            }

            dmb.Slice(ChannelLayout.SlotOffset((int)slot), ChannelLayout.ControlBlockSize).CopyTo(copy);
            Interlocked.MemoryBarrier(); // the copy's loads complete before the second look at the pointer
            if (Volatile.Read(ref pointer) == first
                && BinaryPrimitives.ReadUInt32BigEndian(copy) == update
                && BinaryPrimitives.ReadUInt32BigEndian(copy[60..]) == update)
            {
                block = Decode(copy);
                return true;
            }

            Thread.SpinWait(8); // a publish is landing right now; it completes within microseconds
        }

        return false;
    }

    /// <summary>Decodes a whole slot copied out of live memory.</summary>
    public static ControlBlock Decode(ReadOnlySpan<byte> slot)
    {
        if (slot[4] != ChannelLayout.Version)
        {
            throw new ChannelProtocolException($"control block of wire format version {slot[4]}, this side speaks {ChannelLayout.Version}");
        }

        return new ControlBlock(
            BinaryPrimitives.ReadUInt32BigEndian(slot),
            (ControlFlags)BinaryPrimitives.ReadUInt16BigEndian(slot[6..]),
            BinaryPrimitives.ReadUInt64BigEndian(slot[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(slot[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(slot[24..]),
            BinaryPrimitives.ReadUInt64BigEndian(slot[32..]),
            BinaryPrimitives.ReadUInt32BigEndian(slot[40..]));
    }
}
