using System.Buffers.Binary;

namespace IsmFabric.Channels;

/// <summary>The 16-byte header of a frame on the ring: payload length, type, and the frame's sequence number.</summary>
/// <param name="Length">Payload bytes that follow the header.</param>
/// <param name="Type">The frame type (1 = data, 2 = padding up to the ring's end).</param>
/// <param name="Sequence">The frame's sequence number on the channel (0, 1, 2 … across every path).</param>
public readonly record struct FrameHeader(uint Length, ushort Type, ulong Sequence)
{
    /// <summary>A data frame.</summary>
    public const ushort Data = 1;

    /// <summary>Padding: the rest of the ring up to its end carries nothing; the next frame starts at the ring's start.</summary>
    public const ushort Padding = 2;

    /// <summary>A frame marker that must be present: catches a ring position that is not a frame start.</summary>
    public const ushort Magic = 0x4946; // "IF"

    /// <summary>Writes the header (big-endian).</summary>
    public void Encode(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, Length);
        BinaryPrimitives.WriteUInt16BigEndian(destination[4..], Type);
        BinaryPrimitives.WriteUInt16BigEndian(destination[6..], Magic);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], Sequence);
    }

    /// <summary>Reads a header; a missing marker or unknown type is a protocol error.</summary>
    public static FrameHeader Decode(ReadOnlySpan<byte> source)
    {
        if (BinaryPrimitives.ReadUInt16BigEndian(source[6..]) != Magic)
        {
            throw new ChannelProtocolException("garbage on the ring: no frame marker where a frame must start");
        }

        var header = new FrameHeader(
            BinaryPrimitives.ReadUInt32BigEndian(source),
            BinaryPrimitives.ReadUInt16BigEndian(source[4..]),
            BinaryPrimitives.ReadUInt64BigEndian(source[8..]));
        return header.Type is Data or Padding ? header : throw new ChannelProtocolException($"unknown frame type {header.Type}");
    }
}
