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
    internal sealed record Options(double SecondsPerSize, int Rounds);

    internal static async Task<BenchmarkReport> RunAsync(Options options, Action<string> progress, CancellationToken ct)
    {
        using var workspace = BenchWorkspace.Start("bench", CecDefinition.Build("bench", 2, 1, [0x0100], ["BENCH"], 16L << 20), "bench-peer", progress, ct);
        var io = workspace.Io;
        using var node = AgentNode.Start(workspace.Directory, "lpar1");
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
            var memcpy = Baselines.MeasureMemcpy(size, options.SecondsPerSize);
            var moves = MeasureMoves(f, io, peerGid, peerToken, size, options.SecondsPerSize);
            progress($"{name}: moves {moves:0.00} GB/s, memcpy {memcpy:0.00} GB/s");
            metrics.Add(new BenchmarkMetric($"move_throughput_{name}", "GB/s", Math.Round(moves, 3), $"memcpy {name}", Math.Round(memcpy, 3)));
        }

        progress($"signal round trip, {options.Rounds} rounds");
        var rtt = MeasureSignalRoundTrip(node, io, dmb, peerToken, options.Rounds);
        progress($"pipe ping-pong, {options.Rounds} rounds");
        var pipe = Baselines.MeasurePipe(io, options.Rounds);
        metrics.Add(new BenchmarkMetric("signal_rtt_p50_us", "us", Baselines.Percentile(rtt, 50), "pipe ping-pong p50", Baselines.Percentile(pipe, 50)));
        metrics.Add(new BenchmarkMetric("signal_rtt_p99_us", "us", Baselines.Percentile(rtt, 99), "pipe ping-pong p99", Baselines.Percentile(pipe, 99)));

        io.Send("QUIT");
        await workspace.Peer.WaitForExitAsync(ct);
        return new BenchmarkReport("moves", metrics);
    }

    private static double MeasureMoves(IsmFunction f, LineChannel io, Gid peer, DmbToken token, int size, double seconds)
    {
        var src = new byte[size];
        Random.Shared.NextBytes(src);
        io.Send("DRAIN");
        Baselines.Repeat(() => f.Move(token, 0, src, signal: true), seconds / 5);
        var (n, elapsed) = Baselines.Repeat(() => f.Move(token, 0, src, signal: true), seconds);
        f.SignalEvent(peer, BenchPeer.EndOfPhase, 0);
        io.Expect("DRAINED");
        return n * (double)size / elapsed.TotalSeconds / 1e9;
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
}
