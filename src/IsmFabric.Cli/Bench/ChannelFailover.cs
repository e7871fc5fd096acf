using System.Buffers.Binary;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Text;
using IsmFabric.Emulation;
using IsmFabric.Fabric;
using IsmFabric.Fabric.Protocol;

namespace IsmFabric.Cli.Bench;

/// <summary>
/// The failover figures of <c>bench channel</c>: round after round, the local function that carries a running
/// ping-pong of 64-byte messages is put into error state; the time is taken from just before the fault to the echo of
/// the first ping sent after the fault took effect (the failed function can move nothing, so that echo came over the
/// new path). The function is then recovered, and the next round starts once it is up again on both sides.
/// </summary>
internal sealed class ChannelFailover(FabricNode node, BenchWorkspace workspace, Action<string> progress)
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Fails functions until <paramref name="rounds"/> failovers were measured (at most twice as many failures): returns
    /// the failover time (ms) of each round the channel survived, and how many failures lost it instead (the channel
    /// failed rather than moving: a defect the figures must not hide; a fresh channel carries the next round).
    /// </summary>
    internal async Task<(double[] Milliseconds, int Lost)> MeasureAsync(int rounds, CancellationToken ct)
    {
        using var cec = EmulatedCec.Open(workspace.Directory);
        var channel = await OpenEchoAsync(ct);
        var samples = new List<double>();
        var lost = 0;
        for (var round = 1; samples.Count < rounds && round <= 2 * rounds; round++)
        {
            var carrier = await CarrierAsync(channel, ct);
            var faultAt = new StrongBox<long>();
            var pinger = Task.Run(() => PingUntilEchoAfterAsync(channel, faultAt, ct), ct);

            // Somewhere in the middle of the running ping-pong, a ping or its echo in flight.
            await Task.Delay(Random.Shared.Next(20, 60), ct);
            var failedAt = Stopwatch.GetTimestamp();
            cec.InjectFault(carrier, new FunctionFault { EnterErrorState = true });
            Volatile.Write(ref faultAt.Value, Stopwatch.GetTimestamp());
            string outcome;
            try
            {
                var echoedAt = await pinger.WaitAsync(StepTimeout, ct);
                samples.Add(Stopwatch.GetElapsedTime(failedAt, echoedAt).TotalMilliseconds);
                outcome = $"first echo on the new path after {samples[^1]:0.00} ms";
            }
            catch (TimeoutException)
            {
                throw new TimeoutException($"failover {round}: no echo and no failure within {StepTimeout.TotalSeconds} s of function 0x{carrier:x} failing");
            }
            catch (ChannelClosedException e)
            {
                lost++;
                outcome = $"THE CHANNEL WAS LOST after {Stopwatch.GetElapsedTime(failedAt).TotalMilliseconds:0} ms ({e.Message})";
                channel = null;
            }

            var recoveredAt = Stopwatch.GetTimestamp();
            cec.InjectFault(carrier, new FunctionFault { Recover = true });
            await WaitUpAgainAsync(carrier, ct);
            if (channel is not null && await SettledAsync(channel, ct) is { } ended)
            {
                // It moved, then failed after all (e.g. it moved again, away from its new path, and found no route).
                samples.RemoveAt(samples.Count - 1);
                lost++;
                outcome += $", but then THE CHANNEL WAS LOST ({ended})";
                channel = null;
            }

            progress($"failover {round} ({samples.Count} of {rounds} measured): function 0x{carrier:x} failed, {outcome}; " +
                $"up again after {Stopwatch.GetElapsedTime(recoveredAt).TotalMilliseconds:0} ms");
            channel ??= await OpenEchoAsync(ct);
        }

        await channel.CloseAsync(ct);
        if (samples.Count == 0)
        {
            throw new InvalidDataException($"every one of {rounds} function failures lost the channel instead of failing it over");
        }

        var figures = samples.ToArray();
        progress($"failover: p50 {Baselines.Percentile(figures, 50)} ms, max {figures.Max():0.00} ms over {figures.Length} function failures" +
            (lost > 0 ? $"; {lost} more lost the channel" : ""));
        return (figures, lost);
    }

    private async Task<IFabricChannel> OpenEchoAsync(CancellationToken ct)
    {
        var channel = await node.OpenChannelAsync("lpar2", ct);
        await channel.SendAsync(Encoding.ASCII.GetBytes("MODE echo"), ct);
        await ChannelBenchmark.PingAsync(channel, 100, ct);
        return channel;
    }

    /// <summary>Waits until the channel is open again (null) or has ended (returns why).</summary>
    private async Task<string?> SettledAsync(IFabricChannel channel, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var status = (await node.GetChannelsAsync(ct)).Single(c => c.Id == channel.Id);
            switch (status.State)
            {
                case ChannelState.Open:
                    return null;
                case ChannelState.Closed or ChannelState.Ended:
                    return status.Reason ?? status.State.ToString();
                default:
                    if (sw.Elapsed > StepTimeout)
                    {
                        throw new TimeoutException($"channel {channel.Id} still {status.State} {StepTimeout.TotalSeconds} s after the function recovered");
                    }

                    await Task.Delay(5, ct);
                    break;
            }
        }
    }

    /// <summary>The local function the channel's path runs over now.</summary>
    private async Task<uint> CarrierAsync(IFabricChannel channel, CancellationToken ct)
    {
        var status = (await node.GetChannelsAsync(ct)).Single(c => c.Id == channel.Id);
        if (status.State != ChannelState.Open)
        {
            throw new InvalidOperationException($"channel {channel.Id} is {status.State}, not open: {status.Reason}");
        }

        return Convert.ToUInt32(status.Device, 16);
    }

    /// <summary>
    /// Ping-pong until the echo of a ping whose send began after <paramref name="faultAt"/> was set; returns when that
    /// echo arrived (a timestamp).
    /// </summary>
    private static async Task<long> PingUntilEchoAfterAsync(IFabricChannel channel, StrongBox<long> faultAt, CancellationToken ct)
    {
        var ping = new byte[64];
        for (long i = 0; ; i++)
        {
            var sentAt = Stopwatch.GetTimestamp();
            var fault = Volatile.Read(ref faultAt.Value);
            BinaryPrimitives.WriteInt64LittleEndian(ping, i);
            await channel.SendAsync(ping, ct);
            using (var echo = await channel.ReceiveAsync(ct))
            {
                if (echo.Length != ping.Length || BinaryPrimitives.ReadInt64LittleEndian(echo.Span) != i)
                {
                    throw new InvalidDataException($"ping {i}: the echo is not the message sent ({echo.Length} bytes); a failover lost or repeated one");
                }
            }

            if (fault != 0 && sentAt > fault)
            {
                return Stopwatch.GetTimestamp();
            }
        }
    }

    /// <summary>Waits until the recovered function is up here and its GID answers lpar2 again, and lpar2's GIDs answer us.</summary>
    private async Task WaitUpAgainAsync(uint fid, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        while (true)
        {
            var device = (await node.GetDevicesAsync(ct)).Single(d => d.Fid == fid);
            var peer = (await node.GetPeersAsync(ct))[0];
            if (device.State == DeviceState.Up && peer.ReachableGids.Count == peer.Gids.Count)
            {
                break;
            }

            if (sw.Elapsed > StepTimeout)
            {
                throw new TimeoutException($"function 0x{fid:x} not up again {StepTimeout.TotalSeconds} s after its recovery ({device.State}, {device.LastError})");
            }

            await Task.Delay(5, ct);
        }

        workspace.Io.Send($"REACHABLE lpar1 {workspace.Definition.Functions.Count(f => f.Lpar == "lpar1")}");
        workspace.Io.Expect("REACHABLE ok");
    }

}
