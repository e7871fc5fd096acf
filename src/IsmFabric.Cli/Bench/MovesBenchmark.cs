using System.Diagnostics;
using System.Globalization;
using IsmFabric.Cli.Agent;
using IsmFabric.Emulation;
using IsmFabric.Ism;

namespace IsmFabric.Cli.Bench;

/// <summary>
/// <c>ismfabric bench moves</c>: two LPAR processes on a fresh emulated CEC. Move throughput for 4 KiB, 64 KiB and
/// 1 MiB chunks, every move signalled and every chunk checksummed by the peer before its place is moved into again
/// (<see cref="CheckedMoves"/>), against an in-process memcpy of the same chunks measured while the peer spins in the
/// same checker; and the signal round trip (64-byte move + signal each way) against a one-byte pipe ping-pong between
/// the same two processes, all in one run.
/// </summary>
internal static class MovesBenchmark
{
    internal sealed record Options(double SecondsPerSize, int Rounds);

    /// <summary>The peer's DMBs (1 MiB each) chunks are moved into, a chunk per DMB element (up to 16 per DMB).</summary>
    private const int Dmbs = 8;

    internal static async Task<BenchmarkReport> RunAsync(Options options, Action<string> progress, CancellationToken ct)
    {
        using var workspace = BenchWorkspace.Start("bench", CecDefinition.Build("bench", 2, 1, [0x0100], ["BENCH"], 64L << 20), "bench-peer", progress, ct);
        try
        {
            return await RunAsync(workspace, options, progress, ct);
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is IOException or InvalidDataException or TimeoutException)
        {
            // the peer was killed because we were cancelled
            throw new OperationCanceledException("cancelled", e, ct);
        }
    }

    private static async Task<BenchmarkReport> RunAsync(BenchWorkspace workspace, Options options, Action<string> progress, CancellationToken ct)
    {
        var io = workspace.Io;
        using var node = AgentNode.Start(workspace.Directory, "lpar1");
        var f = node.Function;
        var peerGid = Gid.Parse(io.Expect("GID"));
        io.Send($"PEER {f.Gid}");
        var peerToken = new DmbToken(Convert.ToUInt64(io.Expect("TOKEN"), 16));
        var dmb = f.RegisterDmb(4096, peerGid);
        io.Send($"PEERTOKEN {dmb.Token.Value:x}");
        io.Send($"SLOTS {Dmbs}");
        var slots = io.Expect("SLOTS").Split(' ').Select(t => new DmbToken(Convert.ToUInt64(t, 16))).ToArray();
        var moves = new CheckedMoves(f, dmb, peerGid, slots, workspace);

        var metrics = new List<BenchmarkMetric>();
        foreach (var (size, name) in new[] { (4096, "4k"), (65536, "64k"), (1 << 20, "1m") })
        {
            var memcpy = moves.Memcpy(size, options.SecondsPerSize, ct);
            var r = moves.Moves(size, options.SecondsPerSize, ct);
            var perMove = (r.Elapsed - r.Waited).TotalMicroseconds / r.Chunks;
            progress(string.Create(CultureInfo.InvariantCulture,
                $"{name}: moves {r.GigabytesPerSecond:0.00} GB/s, {r.Chunks} chunks verified, {perMove:0.00} us per move (signal included) " +
                $"and {r.Waited / r.Elapsed:P0} of the time waiting for the peer to free a slot; the peer checksummed for " +
                $"{r.Verifying / r.Elapsed:P0} of the time ({r.Verifying.TotalMicroseconds / r.Chunks:0.00} us per chunk); " +
                $"memcpy {memcpy:0.00} GB/s ({size / memcpy / 1000:0.00} us per copy) with the peer spinning in its checker"));
            metrics.Add(new BenchmarkMetric($"move_throughput_{name}", "GB/s", Math.Round(r.GigabytesPerSecond, 3),
                $"memcpy {name} through {moves.Slots(size)} buffers as the moves go through {moves.Slots(size)} DMB elements, the peer spinning " +
                "in its checker as during the moves", Math.Round(memcpy, 3)));
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
