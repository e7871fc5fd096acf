using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using IsmFabric.Channels;
using IsmFabric.Emulation;
using IsmFabric.Fabric;
using Microsoft.Extensions.Logging.Abstractions;

namespace IsmFabric.Cli.Bench;

/// <summary>
/// <c>ismfabric bench channel</c>: this process is a fabric node on lpar1 of a fresh emulated CEC, a second node process
/// (<c>agent fabric-node</c>) runs on lpar2, and every figure has its baseline measured between the same two processes
/// in the same run: channel throughput (64 KiB and 4 KiB messages, copied out by the receiver) against a 1 MiB
/// shared-memory ring, the round trip of 64-byte messages against a one-byte pipe ping-pong, failover (a function put
/// into error state under a running ping-pong, to the first echo on the new path) against the negotiation of a fresh
/// channel, and channels opened and closed in a loop against one negotiation alone.
/// </summary>
internal static class ChannelBenchmark
{
    /// <summary>What <c>bench channel</c> measures and for how long.</summary>
    /// <param name="Seconds">Measuring time of each throughput figure (channel and ring each get it, in two halves).</param>
    /// <param name="Rounds">Round trips for the latency figures (channel and pipe each).</param>
    /// <param name="Failovers">Function failures for the failover figures.</param>
    /// <param name="Channels">Channels opened and closed for <c>channels_per_second</c>.</param>
    internal sealed record Options(double Seconds, int Rounds, int Failovers, int Channels);

    /// <summary>Fresh channels negotiated one at a time for <c>channel_open_ms</c> (the median is taken).</summary>
    private const int Opens = 21;

    /// <summary>
    /// LPAR memory: room for a channel DMB (1 MiB) for each of the 64 channels a node lets a peer hold, plus the
    /// spares of failovers, so that the channel limit and not the memory decides what a loop of opens runs into.
    /// </summary>
    private const long LparMemory = 160L << 20;

    internal static async Task<BenchmarkReport> RunAsync(Options options, Action<string> progress, CancellationToken ct)
    {
        var definition = CecDefinition.Build("bench", 2, 2, [0x0100, 0x0200], ["NETA", "NETB"], LparMemory);
        using var workspace = BenchWorkspace.Start("chbench", definition, "fabric-node", progress, ct, "--log-level", "Error");
        try
        {
            return await RunAsync(workspace, options, progress, ct);
        }
        catch (Exception e) when (ct.IsCancellationRequested && e is IOException or InvalidDataException or ChannelClosedException)
        {
            // the peer was killed because we were cancelled
            throw new OperationCanceledException("cancelled", e, ct);
        }
        catch (ChannelClosedException e)
        {
            throw new InvalidOperationException($"a channel of the benchmark failed: {e.Message}", e);
        }
    }

    private static async Task<BenchmarkReport> RunAsync(BenchWorkspace workspace, Options options, Action<string> progress, CancellationToken ct)
    {
        var io = workspace.Io;
        io.Expect("READY");
        using var lpar = EmulatedLpar.Attach(workspace.Directory, "lpar1");
        var peerGids = workspace.Definition.Functions.Where(f => f.Lpar == "lpar2").Select(f => f.Gid).ToList();
        var settings = new FabricNodeSettings { NodeName = "lpar1", Peers = [new PeerDefinition("lpar2", peerGids)] };
        var node = await FabricNode.StartAsync(settings, new EmulatedDeviceProvider(lpar), null, NullLoggerFactory.Instance, ct);
        try
        {
            io.Send("PEERS 1");
            io.Expect("PEERS ok");
            await WaitReachableAsync(node, peerGids.Count, ct);
            io.Send($"REACHABLE lpar1 {workspace.Definition.Functions.Count(f => f.Lpar == "lpar1")}");
            io.Expect("REACHABLE ok");

            var metrics = new List<BenchmarkMetric>();
            var throughput = new ChannelThroughput(node, workspace, options.Seconds, progress);
            metrics.Add(await throughput.MeasureAsync(65536, "64k", ct));
            metrics.Add(await throughput.MeasureAsync(4096, "4k", ct));
            metrics.AddRange(await MeasureRoundTripAsync(node, io, options.Rounds, progress, ct));

            var open = await MeasureOpenAsync(node, progress, ct);
            await WaitPeerSettledAsync(io, progress, ct);
            var (perSecond, declined) = await MeasureOpenCloseLoopAsync(node, options.Channels, progress, ct);
            await WaitPeerSettledAsync(io, progress, ct);
            var (failovers, lost) = await new ChannelFailover(node, workspace, progress).MeasureAsync(options.Failovers, ct);
            var openBaseline = $"channel_open_ms, a fresh channel negotiated alone (median of {Opens}); over {failovers.Length} failovers " +
                "(failures that lost the channel instead: failover_channels_lost)";
            metrics.Add(new BenchmarkMetric("failover_ms_p50", "ms", Baselines.Percentile(failovers, 50), openBaseline, open));
            metrics.Add(new BenchmarkMetric("failover_ms_max", "ms", Math.Round(failovers.Max(), 2), openBaseline, open));
            metrics.Add(new BenchmarkMetric("failover_channels_lost", "channels", lost, "function failures injected under a running ping-pong", failovers.Length + lost));
            metrics.Add(new BenchmarkMetric("channels_per_second", "1/s", Math.Round(perSecond, 1),
                $"one negotiation alone (1000 / channel_open_ms); {declined} opens in the loop were declined for lack of resources at the " +
                "peer and tried again", Math.Round(1000 / open, 1)));

            io.Send("QUIT");
            io.Expect("STOPPED");
            await workspace.Peer.WaitForExitAsync(ct);
            return new BenchmarkReport("channel", metrics);
        }
        finally
        {
            // Cancelled: the peer is gone and the CEC removed already; the command line gives us two seconds in all.
            await node.StopAsync().WaitAsync(ct.IsCancellationRequested ? TimeSpan.FromSeconds(1) : Timeout.InfiniteTimeSpan, CancellationToken.None)
                .ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Waits until this node sees <paramref name="gids"/> GIDs of lpar2 answering.</summary>
    internal static async Task WaitReachableAsync(FabricNode node, int gids, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while ((await node.GetPeersAsync(ct))[0].ReachableGids.Count < gids)
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"fewer than {gids} GIDs of lpar2 reachable after 30 s");
            }

            await Task.Delay(5, ct);
        }
    }

    /// <summary>
    /// Waits until the peer holds no channel that is still closing (a peer keeps a closed channel for a while; see
    /// <see cref="MeasureOpenCloseLoopAsync"/>), so that the next phase starts from a clean slate.
    /// </summary>
    private static async Task WaitPeerSettledAsync(Agent.LineChannel io, Action<string> progress, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            io.Send("STATUS");
            using var status = JsonDocument.Parse(io.Expect("STATUS"));
            var closing = status.RootElement.EnumerateArray().Count(c => c.GetProperty("state").GetString() == "closing");
            if (closing == 0)
            {
                break;
            }

            if (sw.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException($"the peer still holds {closing} closing channels after 30 s");
            }

            await Task.Delay(100, ct);
        }

        if (sw.Elapsed > TimeSpan.FromMilliseconds(200))
        {
            progress($"the peer took {sw.Elapsed.TotalSeconds:0.0} s to let go of the channels closed before");
        }
    }

    /// <summary>
    /// 64-byte messages echoed by the peer against one-byte pipe round trips to the same process, interleaved
    /// pipe, channel, channel, pipe so that a change of the machine's load during the run falls on both.
    /// </summary>
    private static async Task<BenchmarkMetric[]> MeasureRoundTripAsync(FabricNode node, Agent.LineChannel io, int rounds, Action<string> progress, CancellationToken ct)
    {
        progress($"64-byte round trips: {rounds} on a channel, {rounds} through the pipe");
        var channel = await node.OpenChannelAsync("lpar2", ct);
        await channel.SendAsync(Encoding.ASCII.GetBytes("MODE echo"), ct);
        await PingAsync(channel, Math.Max(100, rounds / 10), ct); // warm-up
        var half = rounds / 2;
        var pipe = Baselines.MeasurePipe(io, half);
        var rtt = (await PingAsync(channel, half, ct)).Concat(await PingAsync(channel, rounds - half, ct)).ToArray();
        pipe = [.. pipe, .. Baselines.MeasurePipe(io, rounds - half)];
        await channel.CloseAsync(ct);
        progress($"64-byte round trip p50 {Baselines.Percentile(rtt, 50)} us p99 {Baselines.Percentile(rtt, 99)} us, " +
            $"pipe p50 {Baselines.Percentile(pipe, 50)} us p99 {Baselines.Percentile(pipe, 99)} us");
        return
        [
            new BenchmarkMetric("channel_rtt_p50_us", "us", Baselines.Percentile(rtt, 50), "pipe ping-pong p50", Baselines.Percentile(pipe, 50)),
            new BenchmarkMetric("channel_rtt_p99_us", "us", Baselines.Percentile(rtt, 99), "pipe ping-pong p99", Baselines.Percentile(pipe, 99)),
        ];
    }

    /// <summary>Round trips of 64-byte messages numbered in their first 8 bytes; the echo must carry the same number.</summary>
    internal static async Task<double[]> PingAsync(IFabricChannel channel, int rounds, CancellationToken ct)
    {
        var ping = new byte[64];
        var samples = new double[rounds];
        for (var i = 0; i < rounds; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(ping, i);
            var t0 = Stopwatch.GetTimestamp();
            await channel.SendAsync(ping, ct);
            using (var echo = await channel.ReceiveAsync(ct))
            {
                if (echo.Length != ping.Length || BinaryPrimitives.ReadInt64LittleEndian(echo.Span) != i)
                {
                    throw new InvalidDataException($"round trip {i}: the echo is not the message sent ({echo.Length} bytes)");
                }
            }

            samples[i] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
        }

        return samples;
    }

    /// <summary>The median time of <see cref="Opens"/> fresh channels, each negotiated alone (and closed after, untimed).</summary>
    private static async Task<double> MeasureOpenAsync(FabricNode node, Action<string> progress, CancellationToken ct)
    {
        var samples = new double[Opens];
        for (var i = 0; i < Opens; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            var channel = await node.OpenChannelAsync("lpar2", ct);
            samples[i] = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
            await channel.CloseAsync(ct);
        }

        var median = Baselines.Percentile(samples, 50);
        progress($"channel open: median {median} ms of {Opens} (min {samples.Min():0.00}, max {samples.Max():0.00})");
        return median;
    }

    /// <summary>
    /// Channels opened and closed one after the other, per second. An open the peer declines for lack of resources
    /// (it still holds the channels closed before) is tried again after a short pause, as a service would; the
    /// time counts, and how often it happened is returned too.
    /// </summary>
    private static async Task<(double PerSecond, int Declined)> MeasureOpenCloseLoopAsync(FabricNode node, int channels, Action<string> progress, CancellationToken ct)
    {
        var noResources = $"declined the channel: {DeclineReason.NoResources}";
        var declined = 0;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < channels; i++)
        {
            IFabricChannel channel;
            while (true)
            {
                try
                {
                    channel = await node.OpenChannelAsync("lpar2", ct);
                    break;
                }
                catch (ChannelClosedException e) when (e.Message.Contains(noResources, StringComparison.Ordinal) && sw.Elapsed < TimeSpan.FromMinutes(2))
                {
                    declined++;
                    await Task.Delay(10, ct);
                }
            }

            await channel.CloseAsync(ct);
        }

        var perSecond = channels / sw.Elapsed.TotalSeconds;
        progress($"{channels} channels opened and closed in {sw.Elapsed.TotalMilliseconds:0} ms: {perSecond:0.0} per second " +
            $"({declined} opens declined by the peer for lack of resources and tried again)");
        return (perSecond, declined);
    }
}
