namespace IsmFabric.Channels;

/// <summary>
/// Geometry of a channel DMB (wire format version 1, docs/channel-protocol.md): a 64-byte control block written
/// by the peer at offset 0, then the ring the peer writes frames into. Frames are 8-byte aligned.
/// </summary>
public static class ChannelLayout
{
    /// <summary>The wire format version this code speaks.</summary>
    public const byte Version = 1;

    /// <summary>Size of the control block at offset 0.</summary>
    public const int ControlBlockSize = 64;

    /// <summary>Offset of the ring.</summary>
    public const int RingOffset = ControlBlockSize;

    /// <summary>Size of a frame header.</summary>
    public const int FrameHeaderSize = 16;

    /// <summary>Frames start and end on this alignment.</summary>
    public const int FrameAlignment = 8;

    /// <summary>The smallest channel DMB (16 KiB, like SMC-D's smallest).</summary>
    public const int MinDmbSize = 16 * 1024;

    /// <summary>The largest channel DMB (1 MiB, the ISM limit).</summary>
    public const int MaxDmbSize = 1024 * 1024;

    /// <summary>The ring size of a DMB of <paramref name="dmbSize"/> bytes.</summary>
    public static int RingSize(int dmbSize) => dmbSize - RingOffset;

    /// <summary>The largest message a ring of <paramref name="ringSize"/> bytes carries (half the ring, so two are always in flight).</summary>
    public static int MaxMessage(int ringSize) => (ringSize / 2) - FrameHeaderSize;

    /// <summary>A frame's size on the ring: header plus payload, rounded up to the alignment.</summary>
    public static int FrameSize(int payload) => (FrameHeaderSize + payload + FrameAlignment - 1) & ~(FrameAlignment - 1);
}
