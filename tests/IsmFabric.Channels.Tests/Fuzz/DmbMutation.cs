using System.Buffers.Binary;
using IsmFabric.Channels;

namespace IsmFabric.Channels.Tests.Fuzz;

/// <summary>
/// One write a broken or hostile peer (or a stray store) makes into a channel DMB: raw values anywhere, noise, a
/// whole control block that passes the seqlock but lies, or a frame header that carries the marker but lies.
/// Offsets are taken modulo the DMB's size, so every mutation applies to every DMB.
/// </summary>
public abstract record DmbMutation
{
    /// <summary>Writes the mutation into the peer's DMB (and moves the peer's position when it appends).</summary>
    public abstract void Apply(HostilePeer peer);

    private protected static int At(ReadOnlySpan<byte> dmb, int offset, int width) => (int)((uint)offset % (uint)(dmb.Length - width + 1));
}

/// <summary>A big-endian 64-bit value at an offset.</summary>
public sealed record SetU64(int Offset, ulong Value) : DmbMutation
{
    public override void Apply(HostilePeer peer) => BinaryPrimitives.WriteUInt64BigEndian(peer.Dmb.AsSpan(At(peer.Dmb, Offset, 8)), Value);

    public override string ToString() => $"u64 0x{Value:x} at {Offset}";
}

/// <summary>A big-endian 32-bit value at an offset.</summary>
public sealed record SetU32(int Offset, uint Value) : DmbMutation
{
    public override void Apply(HostilePeer peer) => BinaryPrimitives.WriteUInt32BigEndian(peer.Dmb.AsSpan(At(peer.Dmb, Offset, 4)), Value);

    public override string ToString() => $"u32 0x{Value:x} at {Offset}";
}

/// <summary>One byte at an offset.</summary>
public sealed record SetByte(int Offset, byte Value) : DmbMutation
{
    public override void Apply(HostilePeer peer) => peer.Dmb[At(peer.Dmb, Offset, 1)] = Value;

    public override string ToString() => $"byte 0x{Value:x2} at {Offset}";
}

/// <summary>Random bytes (from <paramref name="Seed"/>) over a range.</summary>
public sealed record Noise(int Offset, int Length, int Seed) : DmbMutation
{
    public override void Apply(HostilePeer peer)
    {
        var at = At(peer.Dmb, Offset, 1);
        new Random(Seed).NextBytes(peer.Dmb.AsSpan(at, Math.Min(Length, peer.Dmb.Length - at)));
    }

    public override string ToString() => $"{Length} random bytes (seed {Seed}) at {Offset}";
}

/// <summary>
/// A control block written the way a peer writes one (slot, then pointer), so it passes the torn-read checks, but
/// with whatever cursors, acknowledgement, channel id, epoch and flags the peer likes.
/// </summary>
public sealed record Publish(uint Update, ControlFlags Flags, ulong Producer, ulong Consumer, ulong ChannelId, ulong Expected, uint Epoch)
    : DmbMutation
{
    public override void Apply(HostilePeer peer) =>
        Write(peer.Dmb, new ControlBlock(Update, Flags, Producer, Consumer, ChannelId, Expected, Epoch));

    /// <summary>Writes <paramref name="block"/> as a peer does: its slot, then the pointer.</summary>
    internal static void Write(Span<byte> dmb, ControlBlock block)
    {
        block.EncodeSlot(dmb[ChannelLayout.SlotOffset(ControlBlock.SlotOf(block.Update))..]);
        block.EncodePointer(dmb);
    }

    public override string ToString() =>
        $"control block #{Update}: producer {Producer}, consumer {Consumer}, expects {Expected}, channel {ChannelId}, epoch {Epoch}, {Flags}";
}

/// <summary>A frame header with the marker at a ring position (taken modulo the ring), with any length, type and sequence.</summary>
public sealed record Frame(int Position, uint Length, ushort Type, ulong Sequence) : DmbMutation
{
    public override void Apply(HostilePeer peer)
    {
        var ring = peer.Dmb.AsSpan(ChannelLayout.RingOffset);
        new FrameHeader(Length, Type, Sequence).Encode(ring[At(ring, Position, ChannelLayout.FrameHeaderSize)..]);
    }

    public override string ToString() => $"frame header at ring {Position}: {Length} bytes, type {Type}, sequence {Sequence}";
}

/// <summary>
/// The peer puts a frame header at its write position (what fits before the ring's end) and counts
/// <paramref name="Claim"/> more bytes than the frame's size as produced; the sequence is its next one plus
/// <paramref name="SequenceSkew"/>. Published only by a later <see cref="PublishCursors"/>.
/// </summary>
public sealed record AppendFrame(uint Length, ushort Type, int SequenceSkew, int Claim) : DmbMutation
{
    public override void Apply(HostilePeer peer)
    {
        var position = (int)(peer.Producer % (ulong)peer.Ring);
        Span<byte> header = stackalloc byte[ChannelLayout.FrameHeaderSize];
        new FrameHeader(Length, Type, peer.NextSequence + (ulong)(long)SequenceSkew).Encode(header);
        var fits = Math.Min(header.Length, peer.Ring - position);
        header[..fits].CopyTo(peer.Dmb.AsSpan(ChannelLayout.RingOffset + position));
        var size = (ChannelLayout.FrameHeaderSize + (ulong)Length + 7) & ~7UL;
        peer.Producer += size + (ulong)(long)Claim;
        peer.NextSequence++;
    }

    public override string ToString() =>
        $"peer appends frame: {Length} bytes, type {Type}{(SequenceSkew != 0 ? $", sequence {SequenceSkew:+#;-#}" : "")}{(Claim != 0 ? $", claims {Claim:+#;-#} bytes" : "")}";
}

/// <summary>
/// The peer appends a data frame sized to end exactly at the ring's end, off by <paramref name="Skew"/> bytes (a
/// positive skew runs past it); as <see cref="AppendFrame"/> otherwise.
/// </summary>
public sealed record AppendFrameToEnd(int Skew) : DmbMutation
{
    public override void Apply(HostilePeer peer)
    {
        var toEnd = peer.Ring - (int)(peer.Producer % (ulong)peer.Ring);
        new AppendFrame((uint)Math.Max(0, toEnd - ChannelLayout.FrameHeaderSize + Skew), FrameHeader.Data, 0, 0).Apply(peer);
    }

    public override string ToString() => $"peer appends a frame up to the ring's end{(Skew != 0 ? $" {Skew:+#;-#}" : "")}";
}

/// <summary>The peer pads to the ring's end (a padding frame whose length is off by <paramref name="LengthSkew"/>).</summary>
public sealed record AppendPadding(int LengthSkew) : DmbMutation
{
    public override void Apply(HostilePeer peer)
    {
        var position = (int)(peer.Producer % (ulong)peer.Ring);
        var toEnd = peer.Ring - position;
        if (toEnd >= ChannelLayout.FrameHeaderSize)
        {
            new FrameHeader((uint)(toEnd - ChannelLayout.FrameHeaderSize + LengthSkew), FrameHeader.Padding, 0)
                .Encode(peer.Dmb.AsSpan(ChannelLayout.RingOffset + position));
        }

        peer.Producer += (ulong)toEnd;
    }

    public override string ToString() => $"peer pads to the ring's end{(LengthSkew != 0 ? $" (length {LengthSkew:+#;-#})" : "")}";
}

/// <summary>
/// The peer publishes a control block (slot, then pointer) with its producer, consumer and expected sequence, each off
/// by a skew (a lie), for this channel unless <paramref name="OtherChannel"/>, this epoch unless <paramref name="OtherEpoch"/>.
/// </summary>
public sealed record PublishCursors(ControlFlags Flags, long ProducerSkew, long ConsumerSkew, long ExpectedSkew, bool OtherChannel, bool OtherEpoch)
    : DmbMutation
{
    public override void Apply(HostilePeer peer)
    {
        peer.Update++;
        Publish.Write(peer.Dmb, new ControlBlock(
            peer.Update, Flags, peer.Producer + (ulong)ProducerSkew, peer.Consumer + (ulong)ConsumerSkew,
            OtherChannel ? HostileDmbArbitrary.ChannelId + 1 : HostileDmbArbitrary.ChannelId, peer.Expected + (ulong)ExpectedSkew,
            OtherEpoch ? 1u : 0u));
    }

    public override string ToString() =>
        $"peer publishes{(ProducerSkew != 0 ? $" producer {ProducerSkew:+#;-#}" : "")}{(ConsumerSkew != 0 ? $" consumer {ConsumerSkew:+#;-#}" : "")}" +
        $"{(ExpectedSkew != 0 ? $" expected {ExpectedSkew:+#;-#}" : "")}{(OtherChannel ? " for another channel" : "")}{(OtherEpoch ? " for another epoch" : "")}, {Flags}";
}
