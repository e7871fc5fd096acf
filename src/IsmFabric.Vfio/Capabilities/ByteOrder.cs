using System.Buffers.Binary;

namespace IsmFabric.Vfio;

/// <summary>
/// Reads and writes integers in a chosen byte order. VFIO answers are in the kernel's native order (big-endian on
/// s390x), so the codecs take the order as a parameter and tests can decode s390x buffers on x86_64.
/// </summary>
internal static class ByteOrder
{
    /// <summary>True on a big-endian host (s390x).</summary>
    internal static readonly bool NativeIsBigEndian = !BitConverter.IsLittleEndian;

    internal static ushort U16(ReadOnlySpan<byte> buffer, int offset, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt16BigEndian(buffer[offset..]) : BinaryPrimitives.ReadUInt16LittleEndian(buffer[offset..]);

    internal static uint U32(ReadOnlySpan<byte> buffer, int offset, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt32BigEndian(buffer[offset..]) : BinaryPrimitives.ReadUInt32LittleEndian(buffer[offset..]);

    internal static ulong U64(ReadOnlySpan<byte> buffer, int offset, bool bigEndian) =>
        bigEndian ? BinaryPrimitives.ReadUInt64BigEndian(buffer[offset..]) : BinaryPrimitives.ReadUInt64LittleEndian(buffer[offset..]);

    internal static void U16(Span<byte> buffer, int offset, ushort value, bool bigEndian)
    {
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buffer[offset..], value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(buffer[offset..], value);
        }
    }

    internal static void U32(Span<byte> buffer, int offset, uint value, bool bigEndian)
    {
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(buffer[offset..], value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(buffer[offset..], value);
        }
    }

    internal static void U64(Span<byte> buffer, int offset, ulong value, bool bigEndian)
    {
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt64BigEndian(buffer[offset..], value);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(buffer[offset..], value);
        }
    }
}
