using IsmFabric.Fabric.Protocol;
using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using IsmFabric.Cli.Agent;
using IsmFabric.Emulation;
using IsmFabric.Fabric;
using Microsoft.Extensions.Logging.Abstractions;

namespace IsmFabric.Cli.Bench;

/// <summary>
/// <c>ismfabric bench channel</c>: this process is a fabric node on lpar1 of a fresh emulated CEC, a second node
/// process runs on lpar2. Channel throughput with 64 KiB messages (against memcpy of 64 KiB), round trip of 64-byte
/// messages (against a one-byte pipe ping-pong between the same two processes), and failover time: a function
/// failure under a running ping-pong to the first message delivered on the new path (against the keepalive interval).
/// </summary>
internal static class ChannelBenchmark
{
    internal sealed record Options(double Seconds, int Rounds);

    internal static async Task<BenchmarkReport> RunAsync(Options options, Action<string> progress, CancellationToken ct)
    {
        var definition = CecDefinition.Build("bench", 2, 2, [0x0100, 0x0200], ["NETA", "NETB"], 64L << 20);
        using var workspace = BenchWorkspace.Start("chbench", definition, "fabric-node", progress);
        var io = workspace.Io;
        io.Expect("READY");
        using var lpar = EmulatedLpar.Attach(workspace.Directory, "lpar1");
        var settings = new FabricNodeSettings
        {
            NodeName = "lpar1",
            Peers = [new PeerDefinition("lpar2", definition.Functions.Where(f => f.Lpar == "lpar2").Select(f => f.Gid).ToList())],
        };
        var node = await FabricNode.StartAsync(settings, new EmulatedDeviceProvider(lpar), null, NullLoggerFactory.Instance, ct);
        try
        {
            io.Send("PEERS 1");
            io.Expect("PEERS ok");
            while ((await node.GetPeersAsync(ct))[0].ReachableGids.Count < 2)
            {
                await Task.Delay(20, ct);
            }

            var metrics = new List<BenchmarkMetric>();
            var memcpy = Baselines.MeasureMemcpy(65536, options.Seconds);
            var throughput = await MeasureThroughputAsync(node, options.Seconds, ct);
            progress($"64 KiB messages: {throughput:0.00} GB/s, memcpy {memcpy:0.00} GB/s");
            metrics.Add(new BenchmarkMetric("channel_throughput_64k", "GB/s", Math.Round(throughput, 3), "memcpy 64 KiB", Math.Round(memcpy, 3)));

            var rtt = await MeasureRoundTripAsync(node, options.Rounds, ct);
            var pipe = Baselines.MeasurePipe(io, options.Rounds);
            progress($"64-byte round trip p50 {Baselines.Percentile(rtt, 50)} us, pipe {Baselines.Percentile(pipe, 50)} us");
            metrics.Add(new BenchmarkMetric("channel_rtt_p50_us", "us", Baselines.Percentile(rtt, 50), "pipe ping-pong p50", Baselines.Percentile(pipe, 50)));
            metrics.Add(new BenchmarkMetric("channel_rtt_p99_us", "us", Baselines.Percentile(rtt, 99), "pipe ping-pong p99", Baselines.Percentile(pipe, 99)));

            var failover = await MeasureFailoverAsync(node, workspace.Directory, ct);
            progress($"failover {failover:0.0} ms (keepalive interval {settings.KeepaliveInterval.TotalMilliseconds} ms)");
            metrics.Add(new BenchmarkMetric("failover_ms", "ms", Math.Round(failover, 2), "keepalive interval", settings.KeepaliveInterval.TotalMilliseconds));

            io.Send("QUIT");
            io.Expect("STOPPED");
            await workspace.Peer.WaitForExitAsync(ct);
            return new BenchmarkReport("channel", metrics);
        }
        finally
        {
            await node.StopAsync();
        }
    }

    private static async Task<double> MeasureThroughputAsync(FabricNode node, double seconds, CancellationToken ct)
    {
        var channel = await node.OpenChannelAsync("lpar2", ct);
        await channel.SendAsync(Encoding.ASCII.GetBytes("MODE sink"), ct);
        var message = new byte[65536];
        Random.Shared.NextBytes(message);

        // Warm up, then measure from the first message to the peer's count of what arrived.
        await SendForAsync(channel, message, seconds / 5, ct);
        await channel.SendAsync(new byte[] { 0xFF }, ct);
        await channel.Incoming.ReadAsync(ct);
        var sw = Stopwatch.StartNew();
        await SendForAsync(channel, message, seconds, ct);
        await channel.SendAsync(new byte[] { 0xFF }, ct);
        var count = BinaryPrimitives.ReadInt64BigEndian(await channel.Incoming.ReadAsync(ct));
        var elapsed = sw.Elapsed;
        await channel.CloseAsync(ct);
        return count / elapsed.TotalSeconds / 1e9;
    }

    private static async Task SendForAsync(IFabricChannel channel, byte[] message, double seconds, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            await channel.SendAsync(message, ct);
        }
    }

    private static async Task<double[]> MeasureRoundTripAsync(FabricNode node, int rounds, CancellationToken ct)
    {
        var channel = await node.OpenChannelAsync("lpar2", ct);
        await channel.SendAsync(Encoding.ASCII.GetBytes("MODE echo"), ct);
        var ping = new byte[64];
        var warmup = Math.Max(100, rounds / 10);
        var samples = new double[rounds];
        for (var i = 0; i < warmup + rounds; i++)
        {
            var t0 = Stopwatch.GetTimestamp();
            await channel.SendAsync(ping, ct);
            await channel.Incoming.ReadAsync(ct);
            if (i >= warmup)
            {
                samples[i - warmup] = Stopwatch.GetElapsedTime(t0).TotalMicroseconds;
            }
        }

        await channel.CloseAsync(ct);
        return samples;
    }

    private static async Task<double> MeasureFailoverAsync(FabricNode node, string dir, CancellationToken ct)
    {
        var channel = await node.OpenChannelAsync("lpar2", ct);
        await channel.SendAsync(Encoding.ASCII.GetBytes("MODE echo"), ct);
        var ping = new byte[64];
        await channel.SendAsync(ping, ct);
        await channel.Incoming.ReadAsync(ct);
        var status = (await node.GetChannelsAsync(ct)).Single(c => c.Id == channel.Id && c.State == ChannelState.Open);
        var fid = Convert.ToUInt32(status.Device, 16);

        long failedAt = 0;
        using (var cec = EmulatedCec.Open(dir))
        {
            failedAt = Stopwatch.GetTimestamp();
            cec.InjectFault(fid, new FunctionFault { EnterErrorState = true });
        }

        // The first echo after the failure travelled on the new path: the old function can no longer move anything.
        await channel.SendAsync(ping, ct);
        await channel.Incoming.ReadAsync(ct).AsTask().WaitAsync(TimeSpan.FromSeconds(30), ct);
        var elapsed = Stopwatch.GetElapsedTime(failedAt).TotalMilliseconds;
        using (var cec = EmulatedCec.Open(dir))
        {
            cec.InjectFault(fid, new FunctionFault { Recover = true });
        }

        await channel.CloseAsync(ct);
        return elapsed;
    }
}
