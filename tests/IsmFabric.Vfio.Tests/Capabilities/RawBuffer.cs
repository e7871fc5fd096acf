using System.Buffers.Binary;

namespace IsmFabric.Vfio.Tests;

/// <summary>Builds a kernel answer byte by byte at literal offsets, in either byte order.</summary>
internal sealed class RawBuffer(int length, bool bigEndian)
{
    public byte[] Bytes { get; } = new byte[length];

    public RawBuffer U8(int at, byte value)
    {
        Bytes[at] = value;
        return this;
    }

    public RawBuffer U16(int at, ushort value)
    {
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt16BigEndian(Bytes.AsSpan(at), value);
        }
        else
        {
            BinaryPrimitives.WriteUInt16LittleEndian(Bytes.AsSpan(at), value);
        }

        return this;
    }

    public RawBuffer U32(int at, uint value)
    {
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt32BigEndian(Bytes.AsSpan(at), value);
        }
        else
        {
            BinaryPrimitives.WriteUInt32LittleEndian(Bytes.AsSpan(at), value);
        }

        return this;
    }

    public RawBuffer U64(int at, ulong value)
    {
        if (bigEndian)
        {
            BinaryPrimitives.WriteUInt64BigEndian(Bytes.AsSpan(at), value);
        }
        else
        {
            BinaryPrimitives.WriteUInt64LittleEndian(Bytes.AsSpan(at), value);
        }

        return this;
    }

    public RawBuffer CapHeader(int at, ushort id, ushort version, uint next) => U16(at, id).U16(at + 2, version).U32(at + 4, next);

    public RawBuffer Raw(int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Bytes.AsSpan(at));
        return this;
    }
}
