using System.Buffers.Binary;
using IsmFabric.Vfio;

namespace IsmFabric.Ism;

/// <summary>The registered SBA page and the driver's scan of it (spec §3.5): summary bit, DMB bits and masks, event bit.</summary>
/// <remarks>Owns the page; one scanning thread at a time.</remarks>
internal sealed unsafe class SbaScanner(DmaBuffer page, DmbSlotTable slots) : IDisposable
{
    private const int SbaMaskOffset = 256;
    private const int DmbBitsEnd = 4 + (IsmFunction.SlotCount / 8); // dmb_bits are bytes 4..243; 244..255 are reserved

    /// <summary>The device address of the page, for REG_SBA.</summary>
    internal ulong Iova => page.Iova;

    /// <summary>
    /// Clears the summary bit; for every DMB bit set from slot 32, clears it, takes (and zeroes) its DMBE mask and hands
    /// the DMB to <paramref name="handler"/> (or reports a stray slot); then clears the event bit and returns whether
    /// it was set, that is whether the IEQ must be drained.
    /// </summary>
    internal bool Scan(IIsmInterruptHandler handler)
    {
        var sba = (byte*)page.Address;

        AtomicAndNotByte(sba, 0x80);
        for (var wordOffset = 8; wordOffset < 4 + (IsmFunction.SlotCount / 8); wordOffset += 8)
        {
            if (Volatile.Read(ref *(ulong*)(sba + wordOffset)) == 0)
            {
                continue;
            }

            // The last word reaches 4 bytes into the reserved area: a bit a broken device set there names no slot, and the
            // "mask" of such a slot would lie past the SBA page (the scan zeroed 2 bytes of the next page; found by
            // BrokenDeviceProperties). Hardware never sets them; they are left alone.
            for (var b = 0; b < 8 && wordOffset + b < DmbBitsEnd; b++)
            {
                var at = sba + wordOffset + b;
                if (Volatile.Read(ref *at) == 0)
                {
                    continue;
                }

                for (var bit = 0; bit < 8; bit++)
                {
                    var mask = (byte)(0x80 >> bit);
                    if ((AtomicAndNotByte(at, mask) & mask) == 0)
                    {
                        continue;
                    }

                    var slot = ((wordOffset + b - 4) * 8) + bit;
                    var dmbeMask = (ushort)Interlocked.Exchange(ref *(ushort*)(sba + SbaMaskOffset + (slot * 2)), 0);
                    dmbeMask = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(dmbeMask) : dmbeMask;
                    var dmb = slots.Find(slot);
                    if (dmb is { IsRegistered: true })
                    {
                        handler.OnSignal(dmb, dmbeMask);
                    }
                    else
                    {
                        handler.OnStraySignal(slot);
                    }
                }
            }
        }

        return (AtomicAndNotByte(sba, 0x40) & 0x40) != 0;
    }

    public void Dispose() => page.Dispose();

    private static byte AtomicAndNotByte(byte* p, byte mask)
    {
        var address = (nuint)p;
        var aligned = (int*)(address & ~(nuint)3);
        var shift = BitConverter.IsLittleEndian ? (int)(address & 3) * 8 : (3 - (int)(address & 3)) * 8;
        return (byte)(Interlocked.And(ref *aligned, ~(mask << shift)) >> shift);
    }
}
