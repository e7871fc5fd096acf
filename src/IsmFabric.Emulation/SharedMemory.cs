using System.Buffers.Binary;
using System.Runtime.CompilerServices;

namespace IsmFabric.Emulation;

/// <summary>
/// Typed access to memory shared between processes: plain host-order fields, big-endian device fields, and the
/// atomic bit operations the device model needs on the SBA (which the driver clears concurrently).
/// </summary>
internal static unsafe class SharedMemory
{
    internal static ref int I32(byte* p, int offset) => ref Unsafe.AsRef<int>(p + offset);

    internal static ref uint U32(byte* p, int offset) => ref Unsafe.AsRef<uint>(p + offset);

    internal static ref long I64(byte* p, int offset) => ref Unsafe.AsRef<long>(p + offset);

    internal static ref ulong U64(byte* p, int offset) => ref Unsafe.AsRef<ulong>(p + offset);

    internal static ref ushort U16(byte* p, int offset) => ref Unsafe.AsRef<ushort>(p + offset);

    internal static ulong ReadBe64(byte* p, int offset) => BinaryPrimitives.ReadUInt64BigEndian(new ReadOnlySpan<byte>(p + offset, 8));

    internal static uint ReadBe32(byte* p, int offset) => BinaryPrimitives.ReadUInt32BigEndian(new ReadOnlySpan<byte>(p + offset, 4));

    internal static void WriteBe64(byte* p, int offset, ulong value) => BinaryPrimitives.WriteUInt64BigEndian(new Span<byte>(p + offset, 8), value);

    internal static void WriteBe32(byte* p, int offset, uint value) => BinaryPrimitives.WriteUInt32BigEndian(new Span<byte>(p + offset, 4), value);

    /// <summary>Atomically ORs <paramref name="mask"/> into the byte at <paramref name="p"/> (through its aligned 32-bit word).</summary>
    internal static void AtomicOrByte(byte* p, byte mask)
    {
        var address = (nuint)p;
        var aligned = (int*)(address & ~(nuint)3);
        var byteIndex = (int)(address & 3);
        var shift = BitConverter.IsLittleEndian ? byteIndex * 8 : (3 - byteIndex) * 8;
        Interlocked.Or(ref *aligned, mask << shift);
    }

    /// <summary>Atomically clears the bits of <paramref name="mask"/> in the byte at <paramref name="p"/>; returns the byte's old value.</summary>
    internal static byte AtomicAndNotByte(byte* p, byte mask)
    {
        var address = (nuint)p;
        var aligned = (int*)(address & ~(nuint)3);
        var byteIndex = (int)(address & 3);
        var shift = BitConverter.IsLittleEndian ? byteIndex * 8 : (3 - byteIndex) * 8;
        var old = Interlocked.And(ref *aligned, ~(mask << shift));
        return (byte)(old >> shift);
    }
}
