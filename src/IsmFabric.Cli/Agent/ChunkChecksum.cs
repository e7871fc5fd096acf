using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace IsmFabric.Cli.Agent;

/// <summary>
/// A checksum fast enough to verify every chunk of <c>bench moves</c> at memory speed: four 64-bit lanes of
/// Fletcher-style running sums over 32-byte blocks (the second sum weighs every block by its position, so reordered or
/// repeated blocks change it), folded with the length. Not cryptographic; sender and checker run the same code on the
/// same machine.
/// </summary>
internal static class ChunkChecksum
{
    internal static ulong Compute(ReadOnlySpan<byte> data)
    {
        ref var start = ref MemoryMarshal.GetReference(data);
        var sum = Vector256<ulong>.Zero;
        var weighted = Vector256<ulong>.Zero;
        var blocks = data.Length / Vector256<byte>.Count;
        for (var b = 0; b < blocks; b++)
        {
            sum += Vector256.LoadUnsafe(ref start, (nuint)(b * Vector256<byte>.Count)).AsUInt64();
            weighted += sum;
        }

        ulong a = 0, w = 0;
        for (var i = blocks * Vector256<byte>.Count; i < data.Length; i++)
        {
            a += data[i];
            w += a;
        }

        var h = (ulong)data.Length;
        for (var lane = 0; lane < Vector256<ulong>.Count; lane++)
        {
            h = Mix(h ^ sum[lane]);
            h = Mix(h ^ weighted[lane]);
        }

        return Mix(Mix(h ^ a) ^ w);
    }

    /// <summary>MurmurHash3's 64-bit finaliser: every input bit reaches every output bit.</summary>
    private static ulong Mix(ulong x)
    {
        x ^= x >> 33;
        x *= 0xFF51_AFD7_ED55_8CCDUL;
        x ^= x >> 33;
        x *= 0xC4CE_B9FE_1A85_EC53UL;
        return x ^ (x >> 33);
    }
}
