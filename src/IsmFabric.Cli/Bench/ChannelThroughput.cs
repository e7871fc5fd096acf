using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using IsmFabric.Fabric;

namespace IsmFabric.Cli.Bench;

/// <summary>
/// The throughput figures of <c>bench channel</c>: messages of one size sent for a while on a channel whose far end
/// (the agent's sink) copies each one out into a buffer, against the same messages through a <see cref="SharedRing"/>
/// whose consumer is the same far process, copying out the same way. Measured ring, channel, channel, ring, so that a
/// change of the machine's load during the run falls on both.
/// </summary>
internal sealed class ChannelThroughput(FabricNode node, BenchWorkspace workspace, double seconds, Action<string> progress)
{
    private static readonly byte[] Marker = [0xFF];

    /// <summary>How long the ring's consumer spins before it sleeps: what the channel's reader does (the node's <c>ReadSpin</c>).</summary>
    private TimeSpan ReadSpin => node.Settings.ReadSpin;

    /// <summary>Measures <paramref name="size"/>-byte messages; the metric is named channel_throughput_<paramref name="name"/>.</summary>
    internal async Task<BenchmarkMetric> MeasureAsync(int size, string name, CancellationToken ct)
    {
        var label = size >= 1024 ? $"{size / 1024} KiB" : $"{size} B";
        progress($"{label} messages: channel and ring, {seconds:0.#} s each");
        var message = new byte[size];
        Random.Shared.NextBytes(message);
        var memcpy = Baselines.MeasureMemcpy(size, seconds / 2);

        var path = workspace.ScratchFile("ring");
        Phase r, c;
        try
        {
            using var ring = SharedRing.Create(path);
            workspace.Io.Send(string.Create(CultureInfo.InvariantCulture, $"RING {path} {ReadSpin.TotalMicroseconds}"));
            workspace.Io.Expect("RING ready");
            File.Delete(path); // both processes have it mapped: nothing is left behind whatever happens next

            var channel = await node.OpenChannelAsync("lpar2", ct);
            await channel.SendAsync(Encoding.ASCII.GetBytes("MODE sink"), ct);
            Run(ring, message, seconds / 5, ct); // warm-up
            await RunAsync(channel, message, seconds / 5, ct);
            r = Run(ring, message, seconds / 2, ct);
            c = await RunAsync(channel, message, seconds / 2, ct);
            c += await RunAsync(channel, message, seconds / 2, ct);
            r += Run(ring, message, seconds / 2, ct);
            ring.WriteMarker(SharedRing.End, ct);
            workspace.Io.Expect("RING-END");
            await channel.CloseAsync(ct);
        }
        finally
        {
            File.Delete(path);
        }

        progress(string.Create(CultureInfo.InvariantCulture,
            $"{label}: channel {c.GigabytesPerSecond:0.00} GB/s, {c.MicrosecondsPerMessage:0.00} us per message (the sender waited for ring " +
            $"space on {c.SenderWaitFraction:P1} of sends, the receiver found the ring empty on {c.ReceiverWaitFraction:P1} of receives); " +
            $"ring {r.GigabytesPerSecond:0.00} GB/s, {r.MicrosecondsPerMessage:0.00} us per message (the producer slept {r.SenderWaits} times, " +
            $"the consumer {r.ReceiverWaits} times); memcpy {memcpy:0.00} GB/s, {size / memcpy / 1000:0.00} us per copy"));
        return new BenchmarkMetric($"channel_throughput_{name}", "GB/s", Math.Round(c.GigabytesPerSecond, 3),
            string.Create(CultureInfo.InvariantCulture,
                $"ring_{name} (1 MiB shared-memory ring between two processes, copy in and out, futex when full or empty, the " +
                $"consumer spinning {ReadSpin.TotalMicroseconds} us first like the channel's reader); " +
                $"channel/memcpy {c.GigabytesPerSecond / memcpy:0.000}, ring/memcpy {r.GigabytesPerSecond / memcpy:0.000}, memcpy {memcpy:0.00} GB/s"),
            Math.Round(r.GigabytesPerSecond, 3));
    }

    /// <summary>One phase through the ring: sends for <paramref name="phaseSeconds"/>, then to the consumer's count.</summary>
    private Phase Run(SharedRing ring, byte[] message, double phaseSeconds, CancellationToken ct)
    {
        var sleeps = ring.Sleeps;
        var sw = Stopwatch.StartNew();
        long sent = 0;
        while (sw.Elapsed.TotalSeconds < phaseSeconds)
        {
            ct.ThrowIfCancellationRequested();
            for (var i = 0; i < 16; i++)
            {
                ring.Write(message, ct);
            }

            sent += 16;
        }

        ring.WriteMarker(SharedRing.Phase, ct);
        var answer = workspace.Io.Expect("RING-PHASE").Split(' ');
        var elapsed = sw.Elapsed;
        var phase = new Phase(long.Parse(answer[0], CultureInfo.InvariantCulture), long.Parse(answer[1], CultureInfo.InvariantCulture),
            elapsed, ring.Sleeps - sleeps, long.Parse(answer[2], CultureInfo.InvariantCulture));
        return phase.Expect(sent, message.Length, "ring consumer");
    }

    /// <summary>One phase on the channel: sends for <paramref name="phaseSeconds"/>, then to the sink's count.</summary>
    private static async Task<Phase> RunAsync(IFabricChannel channel, byte[] message, double phaseSeconds, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        long sent = 0, waits = 0;
        while (sw.Elapsed.TotalSeconds < phaseSeconds)
        {
            for (var i = 0; i < 16; i++)
            {
                var send = channel.SendAsync(message, ct);
                if (send.IsCompletedSuccessfully)
                {
                    send.GetAwaiter().GetResult();
                }
                else
                {
                    waits++;
                    await send;
                }
            }

            sent += 16;
        }

        await channel.SendAsync(Marker, ct);
        using var answer = await channel.ReceiveAsync(ct);
        var elapsed = sw.Elapsed;
        if (answer.Length != 24)
        {
            throw new InvalidDataException($"the sink answered {answer.Length} bytes, not its three counts");
        }

        var counts = answer.Span;
        var phase = new Phase(BinaryPrimitives.ReadInt64BigEndian(counts), BinaryPrimitives.ReadInt64BigEndian(counts[8..]), elapsed,
            waits, BinaryPrimitives.ReadInt64BigEndian(counts[16..]));
        return phase.Expect(sent, message.Length, "channel sink");
    }

    /// <summary>What one phase moved, how long it took, and how often each side had to wait for the other.</summary>
    private readonly record struct Phase(long Bytes, long Messages, TimeSpan Elapsed, long SenderWaits, long ReceiverWaits)
    {
        public double GigabytesPerSecond => Bytes / Elapsed.TotalSeconds / 1e9;

        public double MicrosecondsPerMessage => Elapsed.TotalMicroseconds / Math.Max(1, Messages);

        public double SenderWaitFraction => (double)SenderWaits / Math.Max(1, Messages);

        public double ReceiverWaitFraction => (double)ReceiverWaits / Math.Max(1, Messages);

        public static Phase operator +(Phase a, Phase b) =>
            new(a.Bytes + b.Bytes, a.Messages + b.Messages, a.Elapsed + b.Elapsed, a.SenderWaits + b.SenderWaits, a.ReceiverWaits + b.ReceiverWaits);

        /// <summary>Fails unless the far side counted every message sent.</summary>
        public Phase Expect(long sent, int size, string who) => Messages == sent && Bytes == sent * size
            ? this
            : throw new InvalidDataException($"the {who} counted {Messages} messages ({Bytes} bytes), {sent} of {size} bytes were sent");
    }
}
