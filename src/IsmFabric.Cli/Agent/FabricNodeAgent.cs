using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using IsmFabric.Emulation;
using IsmFabric.Fabric;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Cli.Agent;

/// <summary>
/// A fabric node on an emulated LPAR with a small test service, driven over stdin/stdout by the multi-process
/// tests and <c>bench channel</c>. Channels it accepts start with a "MODE …" message: <c>echo</c> sends every
/// message back, <c>sink</c> counts bytes and answers a one-byte 0xFF with the count, <c>check</c> hashes
/// everything until the sender closes and prints "RECEIVED peer id bytes sha256".
/// Commands: <c>PEERS n</c> (wait until n peers are reachable), <c>STREAM peer bytes size seed</c> (prints
/// "SENT peer id bytes sha256"), <c>STATUS</c>, <c>QUIT</c>.
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

    private static async Task<(string Id, string Hash)> StreamAsync(FabricNode node, string peer, long bytes, int size, ulong seed)
    {
        var channel = await node.OpenChannelAsync(peer, CancellationToken.None);
        await channel.SendAsync(Encoding.ASCII.GetBytes("MODE check"));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var generator = new PatternGenerator(seed);
        var buffer = new byte[Math.Min(size, channel.MaxMessage)];
        for (long sent = 0; sent < bytes;)
        {
            var n = (int)Math.Min(buffer.Length, bytes - sent);
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
            var first = await channel.Incoming.ReadAsync();
            var mode = Encoding.ASCII.GetString(first);
            switch (mode)
            {
                case "MODE echo":
                    await foreach (var m in channel.Incoming.ReadAllAsync())
                    {
                        await channel.SendAsync(m);
                    }

                    break;
                case "MODE sink":
                    long count = 0;
                    var answer = new byte[8];
                    await foreach (var m in channel.Incoming.ReadAllAsync())
                    {
                        if (m.Length == 1 && m[0] == 0xFF)
                        {
                            BinaryPrimitives.WriteInt64BigEndian(answer, count);
                            await channel.SendAsync(answer);
                            count = 0;
                        }
                        else
                        {
                            count += m.Length;
                        }
                    }

                    break;
                case "MODE check":
                    using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
                    {
                        long received = 0;
                        await foreach (var m in channel.Incoming.ReadAllAsync())
                        {
                            hash.AppendData(m);
                            received += m.Length;
                        }

                        say($"RECEIVED {channel.Peer} {channel.Id} {received} {Convert.ToHexString(hash.GetHashAndReset()).ToLowerInvariant()}");
                    }

                    break;
                default:
                    say($"ERROR channel {channel.Id} from {channel.Peer} began with '{mode}'");
                    await channel.CloseAsync();
                    break;
            }
        }
        catch (ChannelClosedException e)
        {
            say($"CHANNEL-FAILED {channel.Peer} {channel.Id} {e.Message}");
        }
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
