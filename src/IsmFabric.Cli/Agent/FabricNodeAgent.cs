using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IsmFabric.Cli.Bench;
using IsmFabric.Emulation;
using IsmFabric.Fabric;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Cli.Agent;

/// <summary>
/// A fabric node on an emulated LPAR with a small test service, driven over stdin/stdout by the multi-process
/// tests and <c>bench channel</c>. Channels it accepts start with a "MODE …" message: <c>echo</c> sends every
/// message back, <c>sink</c> copies every message out and answers a one-byte 0xFF with what arrived since the last
/// answer, <c>check</c> hashes everything until the sender closes and prints "RECEIVED peer id bytes sha256"; all
/// read leased messages in place. Commands: <c>PEERS n</c> (wait until n peers are reachable), <c>REACHABLE peer n</c>
/// (wait until n of its GIDs answer), <c>STREAM peer bytes size seed</c> (size 0: random sizes; prints "SENT peer id bytes sha256"),
/// <c>PIPE n</c> (n one-byte pipe round trips), <c>RING path spin_us</c> (consume the shared-memory ring of the
/// channel benchmark's baseline), <c>STATUS</c>, <c>QUIT</c>.
/// </summary>
internal static class FabricNodeAgent
{
    internal static async Task<int> RunAsync(string cec, string lpar, string logLevel)
    {
        var io = LineChannel.Console();
        var send = new Lock();
        void Say(string line)
        {
            lock (send)
            {
                io.Send(line);
            }
        }

        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGINT, c => c.Cancel = true);
        using var logs = LoggerFactory.Create(b => b.AddProvider(new StderrLoggerProvider(Enum.Parse<LogLevel>(logLevel, ignoreCase: true), lpar)));
        using var attached = EmulatedLpar.Attach(cec, lpar);
        CecDefinition definition;
        using (var c = EmulatedCec.Open(cec))
        {
            definition = c.Definition;
        }

        var peers = definition.Lpars.Where(l => l.Name != lpar)
            .Select(l => new PeerDefinition(l.Name, definition.Functions.Where(f => f.Lpar == l.Name).Select(f => f.Gid).ToList()))
            .ToList();
        var settings = new FabricNodeSettings { NodeName = lpar, Peers = peers };
        var node = await FabricNode.StartAsync(settings, new EmulatedDeviceProvider(attached), null, logs, CancellationToken.None);
        using var stop = new CancellationTokenSource();
        var services = Task.Run(() => ServeAsync(node, Say, stop.Token));
        Say("READY");
        try
        {
            while (await Task.Run(io.Receive) is { } line)
            {
                var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (words.Length == 0)
                {
                    continue;
                }

                switch (words[0])
                {
                    case "PEERS":
                        await WaitPeersAsync(node, int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture));
                        Say("PEERS ok");
                        break;
                    case "REACHABLE":
                        await WaitReachableAsync(node, words[1], int.Parse(words[2], System.Globalization.CultureInfo.InvariantCulture));
                        Say("REACHABLE ok");
                        break;
                    case "RING":
                        StartRingConsumer(words[1], TimeSpan.FromMicroseconds(double.Parse(words[2], System.Globalization.CultureInfo.InvariantCulture)), Say);
                        Say("RING ready");
                        break;
                    case "STREAM":
                        var peer = words[1];
                        var bytes = long.Parse(words[2], System.Globalization.CultureInfo.InvariantCulture);
                        var size = int.Parse(words[3], System.Globalization.CultureInfo.InvariantCulture);
                        var seed = ulong.Parse(words[4], System.Globalization.CultureInfo.InvariantCulture);
                        _ = Task.Run(async () =>
                        {
                            try
                            {
                                var (id, hash) = await StreamAsync(node, peer, bytes, size, seed);
                                Say($"SENT {peer} {id} {bytes} {hash}");
                            }
                            catch (Exception e)
                            {
                                Say($"ERROR stream to {peer}: {e.GetType().Name}: {e.Message}");
                            }
                        });
                        break;
                    case "PIPE":
                        // Raw one-byte ping-pong on the same pipes: the baseline of the channel round trip.
                        var rounds = int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture);
                        var one = new byte[1];
                        for (var i = 0; i < rounds; i++)
                        {
                            if (io.Input.Read(one, 0, 1) != 1)
                            {
                                break;
                            }

                            lock (send)
                            {
                                io.Output.Write(one, 0, 1);
                                io.Output.Flush();
                            }
                        }

                        break;
                    case "STATUS":
                        Say("STATUS " + JsonSerializer.Serialize(await node.GetChannelsAsync(CancellationToken.None), CliOutput.Json).ReplaceLineEndings(""));
                        break;
                    case "QUIT":
                        return await StopAsync(node, stop, services, Say);
                    default:
                        Say($"ERROR unknown command '{line}'");
                        break;
                }
            }
        }
        catch (Exception e) when (e is ChannelClosedException or TimeoutException or IOException)
        {
            Say($"ERROR {e.Message}");
        }

        return await StopAsync(node, stop, services, Say);
    }

    private static async Task<int> StopAsync(FabricNode node, CancellationTokenSource stop, Task services, Action<string> say)
    {
        await node.StopAsync();
        await stop.CancelAsync();
        await services.ContinueWith(_ => { }, TaskScheduler.Default);
        say("STOPPED");
        return 0;
    }

    private static async Task WaitPeersAsync(FabricNode node, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await node.GetPeersAsync(CancellationToken.None)).Count(p => p.Reachable) < count)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"fewer than {count} peers reachable after 30 s");
            }

            await Task.Delay(20);
        }
    }

    private static async Task WaitReachableAsync(FabricNode node, string peer, int gids)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while ((await node.GetPeersAsync(CancellationToken.None)).Single(p => p.Name == peer).ReachableGids.Count < gids)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"fewer than {gids} GIDs of {peer} reachable after 30 s");
            }

            await Task.Delay(10);
        }
    }

    /// <summary>
    /// The far side of the ring baseline, on a thread of its own: copies every message out into one buffer (spinning for
    /// <paramref name="spin"/> on an empty ring before it sleeps, as a channel's reader does) and, at
    /// each phase marker, prints "RING-PHASE bytes messages sleeps" (what arrived since the last marker, and how
    /// often the ring was found empty and slept on); "RING-END" at the end marker.
    /// </summary>
    private static void StartRingConsumer(string path, TimeSpan spin, Action<string> say)
    {
        var ring = SharedRing.Open(path);
        var consumer = new Thread(() =>
        {
            using (ring)
            {
                try
                {
                    var buffer = new byte[SharedRing.Capacity];
                    long bytes = 0, messages = 0, sleeps = 0;
                    while (true)
                    {
                        var length = ring.Read(buffer, spin, CancellationToken.None);
                        if (length >= 0)
                        {
                            bytes += length;
                            messages++;
                        }
                        else if (length == SharedRing.Phase)
                        {
                            say($"RING-PHASE {bytes} {messages} {ring.Sleeps - sleeps}");
                            (bytes, messages, sleeps) = (0, 0, ring.Sleeps);
                        }
                        else
                        {
                            say("RING-END");
                            return;
                        }
                    }
                }
                catch (InvalidDataException e)
                {
                    say($"ERROR ring: {e.Message}");
                }
            }
        })
        { IsBackground = true, Name = "ring consumer" };
        consumer.Start();
    }

    private static async Task<(string Id, string Hash)> StreamAsync(FabricNode node, string peer, long bytes, int size, ulong seed)
    {
        var channel = await node.OpenChannelAsync(peer, CancellationToken.None);
        await channel.SendAsync(Encoding.ASCII.GetBytes("MODE check"));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var generator = new PatternGenerator(seed);
        // Size 0: every message a random size from 1 byte to the channel's largest, drawn from the seed.
        var sizes = new Random(unchecked((int)seed));
        var buffer = new byte[size == 0 ? channel.MaxMessage : Math.Min(size, channel.MaxMessage)];
        for (long sent = 0; sent < bytes;)
        {
            var n = (int)Math.Min(size == 0 ? sizes.Next(1, buffer.Length + 1) : buffer.Length, bytes - sent);
            generator.Fill(buffer.AsSpan(0, n));
            hash.AppendData(buffer, 0, n);
            await channel.SendAsync(buffer.AsMemory(0, n));
            sent += n;
        }

        await channel.CloseAsync();
        return (channel.Id, Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant());
    }

    private static async Task ServeAsync(FabricNode node, Action<string> say, CancellationToken ct)
    {
        try
        {
            await foreach (var channel in node.AcceptedChannels.ReadAllAsync(ct))
            {
                _ = Task.Run(() => ServeChannelAsync(channel, say), CancellationToken.None);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task ServeChannelAsync(IFabricChannel channel, Action<string> say)
    {
        try
        {
            string mode;
            using (var first = await channel.ReceiveAsync())
            {
                mode = Encoding.ASCII.GetString(first.Span);
            }

            switch (mode)
            {
                case "MODE echo":
                    await EchoAsync(channel);
                    break;
                case "MODE sink":
                    await SinkAsync(channel);
                    break;
                case "MODE check":
                    var (received, sha256) = await CheckAsync(channel);
                    await channel.Completion.WaitAsync(TimeSpan.FromSeconds(30)); // failing after the last message is no clean transfer
                    say($"RECEIVED {channel.Peer} {channel.Id} {received} {sha256}");
                    break;
                default:
                    say($"ERROR channel {channel.Id} from {channel.Peer} began with '{mode}'");
                    await channel.CloseAsync();
                    break;
            }
        }
        catch (Exception e) when (e is ChannelClosedException or TimeoutException)
        {
            // Closed by the peer (bench channel opens and closes channels without a mode): nothing to report. Failed:
            // the completion says why.
            var failure = await channel.Completion.WaitAsync(TimeSpan.FromSeconds(30))
                .ContinueWith(t => t.Exception?.InnerException, TaskScheduler.Default);
            if (failure is not null)
            {
                say($"CHANNEL-FAILED {channel.Peer} {channel.Id} {failure.Message}");
            }
        }
    }

    /// <summary>
    /// Sends every message back. The lease is copied out and released before the send: sending while holding it could
    /// wait for ring space the peer only frees once we consume.
    /// </summary>
    private static async Task EchoAsync(IFabricChannel channel)
    {
        var buffer = new byte[channel.MaxMessage];
        while (true)
        {
            int length;
            using (var message = await channel.ReceiveAsync())
            {
                length = message.Length;
                message.Span.CopyTo(buffer);
            }

            await channel.SendAsync(buffer.AsMemory(0, length));
        }
    }

    /// <summary>
    /// Copies every message out into one reusable buffer (what a real consumer does, and what the ring baseline does)
    /// and counts it; a one-byte 0xFF is answered with the bytes, messages and receives that had to wait since the
    /// last answer (three big-endian 64-bit numbers).
    /// </summary>
    private static async Task SinkAsync(IFabricChannel channel)
    {
        var buffer = new byte[channel.MaxMessage];
        var answer = new byte[24];
        long bytes = 0, messages = 0, waits = 0;
        while (true)
        {
            var receive = channel.ReceiveAsync();
            if (!receive.IsCompleted)
            {
                waits++;
            }

            bool marker;
            using (var message = await receive)
            {
                var span = message.Span;
                marker = span.Length == 1 && span[0] == 0xFF;
                span.CopyTo(buffer);
                if (!marker)
                {
                    bytes += span.Length;
                    messages++;
                }
            }

            if (marker)
            {
                BinaryPrimitives.WriteInt64BigEndian(answer, bytes);
                BinaryPrimitives.WriteInt64BigEndian(answer.AsSpan(8), messages);
                BinaryPrimitives.WriteInt64BigEndian(answer.AsSpan(16), waits);
                await channel.SendAsync(answer);
                bytes = messages = waits = 0;
            }
        }
    }

    /// <summary>Hashes every message in place until the peer closes; returns the bytes and the SHA-256 (hex).</summary>
    private static async Task<(long Received, string Sha256)> CheckAsync(IFabricChannel channel)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        long received = 0;
        try
        {
            while (true)
            {
                using var message = await channel.ReceiveAsync();
                hash.AppendData(message.Span);
                received += message.Length;
            }
        }
        catch (ChannelClosedException) when (!channel.Completion.IsFaulted)
        {
            // the end of the stream; whether it ended well is the completion's to say
        }

        return (received, Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant());
    }

    /// <summary>Logs to stderr, so stdout stays the line protocol.</summary>
    private sealed class StderrLoggerProvider(LogLevel minimum, string lpar) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new StderrLogger(minimum, lpar, categoryName);

        public void Dispose()
        {
        }

        private sealed class StderrLogger(LogLevel minimum, string lpar, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                if (IsEnabled(logLevel))
                {
                    Console.Error.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} [{lpar}] {logLevel} {category}: {formatter(state, exception)}");
                }
            }
        }
    }
}
