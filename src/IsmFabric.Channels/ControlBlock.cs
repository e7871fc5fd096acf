using System.Buffers.Binary;

namespace IsmFabric.Channels;

/// <summary>
/// The control block one side writes into the other's DMB with a single store: its producer cursor (bytes it wrote
/// into that DMB's ring), its consumer cursor (bytes it consumed from its own ring), the next frame sequence it
/// expects, and flags. The update counter is written at both ends so a torn read is recognised and ignored.
/// </summary>
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
    /// <summary>Writes the block in its wire layout (big-endian).</summary>
    public void Encode(Span<byte> destination)
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

    /// <summary>
    /// Reads a block. False when it was never written or is being rewritten right now (the two update counters
    /// differ); a version this code does not speak is a protocol error.
    /// </summary>
    public static bool TryDecode(ReadOnlySpan<byte> source, out ControlBlock block)
    {
        block = default;
        var update = BinaryPrimitives.ReadUInt32BigEndian(source);
        if (update == 0 || update != BinaryPrimitives.ReadUInt32BigEndian(source[60..]))
        {
            return false;
        }

        if (source[4] != ChannelLayout.Version)
        {
            throw new ChannelProtocolException($"control block of wire format version {source[4]}, this side speaks {ChannelLayout.Version}");
        }

        block = new ControlBlock(
            update,
            (ControlFlags)BinaryPrimitives.ReadUInt16BigEndian(source[6..]),
            BinaryPrimitives.ReadUInt64BigEndian(source[8..]),
            BinaryPrimitives.ReadUInt64BigEndian(source[16..]),
            BinaryPrimitives.ReadUInt64BigEndian(source[24..]),
            BinaryPrimitives.ReadUInt64BigEndian(source[32..]),
            BinaryPrimitives.ReadUInt32BigEndian(source[40..]));
        return true;
    }
}
