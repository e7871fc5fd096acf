namespace IsmFabric.Channels;

/// <summary>
/// Geometry of a channel DMB (wire format version 2, docs/channel-protocol.md): a 256-byte control area written by
/// the peer (an 8-byte pointer at offset 0 naming which of two 64-byte control-block slots is current), then the
/// ring the peer writes frames into. Frames are 8-byte aligned and never wrap: a frame that does not fit before the
/// ring's end is preceded by a padding frame.
/// </summary>
public static class ChannelLayout
{
    /// <summary>The wire format version this code speaks.</summary>
    public const byte Version = 2;

    /// <summary>Size of one control-block slot.</summary>
    public const int ControlBlockSize = 64;

    /// <summary>Offset of the control pointer (update counter and current slot), written by its own store.</summary>
    public const int PointerOffset = 0;

    /// <summary>Size of the control pointer.</summary>
    public const int PointerSize = 8;

    /// <summary>Offset of control-block slot 0; slot 1 follows it.</summary>
    public const int FirstSlotOffset = 64;

    /// <summary>Size of the control area at the start of the DMB.</summary>
    public const int ControlAreaSize = 256;

    /// <summary>Offset of the ring.</summary>
    public const int RingOffset = ControlAreaSize;

    /// <summary>Size of a frame header.</summary>
    public const int FrameHeaderSize = 16;

    /// <summary>Frames start and end on this alignment.</summary>
    public const int FrameAlignment = 8;

    /// <summary>The smallest channel DMB (16 KiB, like SMC-D's smallest).</summary>
    public const int MinDmbSize = 16 * 1024;

    /// <summary>The largest channel DMB (1 MiB, the ISM limit).</summary>
    public const int MaxDmbSize = 1024 * 1024;

    /// <summary>The offset of control-block slot <paramref name="slot"/> (0 or 1).</summary>
    public static int SlotOffset(int slot) => FirstSlotOffset + (slot * ControlBlockSize);

    /// <summary>The ring size of a DMB of <paramref name="dmbSize"/> bytes.</summary>
    public static int RingSize(int dmbSize) => dmbSize - RingOffset;

    /// <summary>The largest message a ring of <paramref name="ringSize"/> bytes carries (under half the ring, so a frame plus the padding before it always fits).</summary>
    public static int MaxMessage(int ringSize) => (ringSize / 2) - FrameHeaderSize;

    /// <summary>A frame's size on the ring: header plus payload, rounded up to the alignment.</summary>
    public static int FrameSize(int payload) => (FrameHeaderSize + payload + FrameAlignment - 1) & ~(FrameAlignment - 1);
}
