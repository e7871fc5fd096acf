using System.Diagnostics;
using IsmFabric.Cli.Agent;
using IsmFabric.Emulation;
using IsmFabric.Ism;

namespace IsmFabric.Cli.Bench;

/// <summary>
/// <c>ismfabric bench moves</c>: two LPAR processes on a fresh emulated CEC. Move throughput (every move signalled,
/// the peer draining interrupts) for 4 KiB, 64 KiB and 1 MiB against an in-process memcpy of the same size, and
/// the signal round trip (64-byte move + signal each way) against a one-byte pipe ping-pong between the same two
/// processes, all in one run.
/// </summary>
internal static class MovesBenchmark
{
    internal sealed record Options(double SecondsPerSize, int Rounds, string? WorkDirectory);

    internal static async Task<BenchmarkReport> RunAsync(Options options, Action<string> progress, CancellationToken ct)
    {
        var dir = Path.Combine(options.WorkDirectory ?? Path.GetTempPath(), "ismfabric-bench-" + Guid.NewGuid().ToString("n")[..8]);
        EmulatedCec.Create(dir, CecDefinition.Build("bench", 2, 1, [0x0100], ["BENCH"], 16L << 20)).Dispose();
        Process? peer = null;
        try
        {
            progress($"emulated CEC in {dir}; starting the peer LPAR process");
            peer = Process.Start(SelfProcess.StartInfo("agent", "bench-peer", "--cec", dir, "--lpar", "lpar2"))
                ?? throw new IOException("could not start the peer process");
            var io = new LineChannel(peer.StandardOutput.BaseStream, peer.StandardInput.BaseStream);
            using var node = AgentNode.Start(dir, "lpar1");
            var f = node.Function;
            var peerGid = Gid.Parse(io.Expect("GID"));
            io.Send($"PEER {f.Gid}");
            var peerToken = new DmbToken(Convert.ToUInt64(io.Expect("TOKEN"), 16));
            var dmb = f.RegisterDmb(4096, peerGid);
            io.Send($"PEERTOKEN {dmb.Token.Value:x}");

            var metrics = new List<BenchmarkMetric>();
            foreach (var (size, name) in new[] { (4096, "4k"), (65536, "64k"), (1 << 20, "1m") })
            {
                ct.ThrowIfCancellationRequested();
                var memcpy = MeasureMemcpy(size, options.SecondsPerSize);
                var moves = MeasureMoves(f, io, peerGid, peerToken, size, options.SecondsPerSize);
                progress($"{name}: moves {moves:0.00} GB/s, memcpy {memcpy:0.00} GB/s");
                metrics.Add(new BenchmarkMetric($"move_throughput_{name}", "GB/s", Math.Round(moves, 3), $"memcpy {name}", Math.Round(memcpy, 3)));
            }

            progress($"signal round trip, {options.Rounds} rounds");
            var rtt = MeasureSignalRoundTrip(node, io, dmb, peerToken, options.Rounds);
            progress($"pipe ping-pong, {options.Rounds} rounds");
            var pipe = MeasurePipe(io, options.Rounds);
            metrics.Add(new BenchmarkMetric("signal_rtt_p50_us", "us", Percentile(rtt, 50), "pipe ping-pong p50", Percentile(pipe, 50)));
            metrics.Add(new BenchmarkMetric("signal_rtt_p99_us", "us", Percentile(rtt, 99), "pipe ping-pong p99", Percentile(pipe, 99)));

            io.Send("QUIT");
            await peer.WaitForExitAsync(ct);
            return new BenchmarkReport("moves", metrics);
        }
        finally
        {
            if (peer is { HasExited: false })
            {
                peer.Kill();
            }

            peer?.Dispose();
            try
            {
                Directory.Delete(dir, true);
            }
            catch (IOException)
            {
            }
        }
    }

    internal static double MeasureMemcpy(int size, double seconds)
    {
        var src = new byte[size];
        var dst = new byte[size];
        Random.Shared.NextBytes(src);
        Repeat(() => src.AsSpan().CopyTo(dst), seconds / 5);
        var (n, elapsed) = Repeat(() => src.AsSpan().CopyTo(dst), seconds);
        return n * (double)size / elapsed.TotalSeconds / 1e9;
    }

    private static double MeasureMoves(IsmFunction f, LineChannel io, Gid peer, DmbToken token, int size, double seconds)
    {
        var src = new byte[size];
        Random.Shared.NextBytes(src);
        io.Send("DRAIN");
        Repeat(() => f.Move(token, 0, src, signal: true), seconds / 5);
        var (n, elapsed) = Repeat(() => f.Move(token, 0, src, signal: true), seconds);
        f.SignalEvent(peer, BenchPeer.EndOfPhase, 0);
        io.Expect("DRAINED");
        return n * (double)size / elapsed.TotalSeconds / 1e9;
    }

    private static (long Count, TimeSpan Elapsed) Repeat(Action action, double seconds)
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

    private static double[] MeasureSignalRoundTrip(AgentNode node, LineChannel io, Dmb dmb, DmbToken peerToken, int rounds)
    {
        var warmup = Math.Max(100, rounds / 10);
        io.Send($"PINGPONG {warmup + rounds}");
        var ping = new byte[64];
        var samples = new double[rounds];
        for (var i = 0; i < warmup + rounds; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            node.Function.Move(peerToken, 0, ping, signal: true);
            node.WaitForSignal(dmb, TimeSpan.FromSeconds(30));
            if (i >= warmup)
            {
                samples[i - warmup] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }
        }

        io.Expect("DONE");
        return samples;
    }

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

    internal static double Percentile(double[] samples, double p)
    {
        var sorted = samples.Order().ToArray();
        var index = (int)Math.Ceiling(p / 100 * sorted.Length) - 1;
        return Math.Round(sorted[Math.Clamp(index, 0, sorted.Length - 1)], 2);
    }
}
