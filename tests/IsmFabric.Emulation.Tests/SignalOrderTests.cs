using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace IsmFabric.Emulation.Tests;

/// <summary>
/// The device's order of a signalling move (spec §3.2: DMBE mask, then DMB bit, then summary bit) against a driver that
/// scans while signals land, as Linux's ism_handle_irq does: clear the DMB bit, then take and zero the mask.
/// </summary>
public sealed class SignalOrderTests : IDisposable
{
    private const int Slot = 45;
    private readonly TwoFunctions _pair = new();

    [Fact]
    public void A_scan_racing_signalling_moves_never_loses_an_element()
    {
        var (_, token, _) = _pair.A.RegisterDmb(4096, Slot, _pair.B.Gid);
        var seen = 0;
        var stop = false;
        var scanner = new Thread(() =>
        {
            while (!Volatile.Read(ref stop))
            {
                var mask = TakeSignal(_pair.A.Sba!);
                if (mask != 0)
                {
                    Interlocked.Or(ref seen, mask);
                }
            }
        }) { IsBackground = true, Name = "sba scanner" };
        scanner.Start();
        try
        {
            for (var i = 0; i < 60_000; i++)
            {
                var element = i % 16;
                var bit = 0x8000 >> element;
                _pair.B.Device.Write((long)(token | ((ulong)element << 24) | (1UL << 23)), new byte[] { (byte)i });
                var since = Stopwatch.GetTimestamp();
                while ((Volatile.Read(ref seen) & bit) == 0)
                {
                    Assert.True(Stopwatch.GetElapsedTime(since) < TimeSpan.FromSeconds(5),
                        $"signal {i} (DMBE {element}) never reached the scan: the DMB bit was taken before the mask was set");
                    Thread.Yield();
                }

                Interlocked.And(ref seen, ~bit);
            }
        }
        finally
        {
            Volatile.Write(ref stop, true);
            scanner.Join();
        }
    }

    /// <summary>One scan of the slot: clears its DMB bit and, when it was set, takes and zeroes its DMBE mask.</summary>
    private static int TakeSignal(Vfio.DmaBuffer sba)
    {
        var words = MemoryMarshal.Cast<byte, int>(sba.Span);
        var bitByte = 4 + (Slot / 8);
        var bit = (0x80 >> (Slot % 8)) << ((bitByte % 4) * 8);
        if ((Interlocked.And(ref words[bitByte / 4], ~bit) & bit) == 0)
        {
            return 0;
        }

        var maskAt = 256 + (Slot * 2);
        var shift = (maskAt % 4) * 8;
        var old = Interlocked.And(ref words[maskAt / 4], ~(0xFFFF << shift));
        var raw = (ushort)(old >> shift);
        return BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(raw) : raw;
    }

    public void Dispose()
    {
        _pair.Dispose();
    }
}
