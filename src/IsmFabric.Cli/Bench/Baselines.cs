using System.Diagnostics;
using IsmFabric.Cli.Agent;

namespace IsmFabric.Cli.Bench;

/// <summary>The raw mechanisms benchmarks measure themselves against in the same run: memcpy and a pipe ping-pong.</summary>
internal static class Baselines
{
    /// <summary>GB/s of an in-process copy of <paramref name="size"/> bytes, repeated for <paramref name="seconds"/>.</summary>
    internal static double MeasureMemcpy(int size, double seconds)
    {
        var src = new byte[size];
        var dst = new byte[size];
        Random.Shared.NextBytes(src);
        Repeat(() => src.AsSpan().CopyTo(dst), seconds / 5);
        var (n, elapsed) = Repeat(() => src.AsSpan().CopyTo(dst), seconds);
        return n * (double)size / elapsed.TotalSeconds / 1e9;
    }

    /// <summary>Runs <paramref name="action"/> in batches of 16 for <paramref name="seconds"/>; returns how often and how long.</summary>
    internal static (long Count, TimeSpan Elapsed) Repeat(Action action, double seconds)
    {
        var sw = Stopwatch.StartNew();
        var limit = TimeSpan.FromSeconds(seconds);
        long n = 0;
        while (sw.Elapsed < limit)
        {
            for (var i = 0; i < 16; i++)
            {
                action();
            }

            n += 16;
        }

        return (n, sw.Elapsed);
    }

    /// <summary>
    /// One-byte round trips over the pipes to a peer that was told "PIPE n" and echoes n bytes; returns the
    /// round trips in microseconds (after a warm-up).
    /// </summary>
    internal static double[] MeasurePipe(LineChannel io, int rounds)
    {
        var warmup = Math.Max(100, rounds / 10);
        io.Send($"PIPE {warmup + rounds}");
        var one = new byte[] { 0x55 };
        var back = new byte[1];
        var samples = new double[rounds];
        for (var i = 0; i < warmup + rounds; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            io.Output.Write(one, 0, 1);
            io.Output.Flush();
            if (io.Input.Read(back, 0, 1) != 1)
            {
                throw new IOException("the peer closed the pipe during the ping-pong");
            }

            if (i >= warmup)
            {
                samples[i - warmup] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }
        }

        return samples;
    }

    /// <summary>The <paramref name="p"/>-th percentile (nearest rank), rounded to 0.01.</summary>
    internal static double Percentile(double[] samples, double p)
    {
        var sorted = samples.Order().ToArray();
        var index = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return Math.Round(sorted[Math.Clamp(index, 0, sorted.Length - 1)], 2);
    }
}
