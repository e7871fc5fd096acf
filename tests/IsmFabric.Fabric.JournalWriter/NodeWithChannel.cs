using IsmFabric.Emulation;
using Microsoft.Extensions.Logging;
using IsmFabric.Fabric;
using IsmFabric.Fabric.Persistence;
using Microsoft.Extensions.Logging.Abstractions;

/// <summary>A fabric node with a journal that opens one channel and waits to be killed.</summary>
internal static class NodeWithChannel
{
    internal static async Task RunAsync(string cec, string lpar, string peer, string sqlite)
    {
        var attached = EmulatedLpar.Attach(cec, lpar);
        CecDefinition definition;
        using (var c = EmulatedCec.Open(cec))
        {
            definition = c.Definition;
        }

        var settings = new FabricNodeSettings
        {
            NodeName = lpar,
            Peers = [new PeerDefinition(peer, definition.Functions.Where(f => f.Lpar == peer).Select(f => f.Gid).ToList())],
            KeepaliveInterval = TimeSpan.FromMilliseconds(100),
        };
        Console.Error.WriteLine($"attached {lpar}");
        var node = await FabricNode.StartAsync(settings, new EmulatedDeviceProvider(attached), FabricJournalOptions.Sqlite(sqlite), LoggerFactory.Create(b => b.AddProvider(new StderrLogs()).SetMinimumLevel(LogLevel.Warning)), CancellationToken.None);
        Console.Error.WriteLine("node started");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        IFabricChannel? channel = null;
        while (channel is null)
        {
            try
            {
                channel = await node.OpenChannelAsync(peer, CancellationToken.None);
            }
            catch (ChannelClosedException e) when (DateTime.UtcNow < deadline)
            {
                Console.Error.WriteLine($"open failed: {e.Message}");
                await Task.Delay(50); // the peer is not reachable yet
            }
        }

        Console.Error.WriteLine($"channel {channel.Id} open");
        while (true)
        {
            try
            {
                if ((await node.GetLedgerCountsAsync(CancellationToken.None)).Open > 0)
                {
                    break;
                }
            }
            catch (Akka.Actor.AskTimeoutException)
            {
                // the ledger is still recovering
            }

            await Task.Delay(10);
        }

        Console.Out.WriteLine($"OPEN {channel.Id}");
        Console.Out.Flush();
        await Task.Delay(Timeout.Infinite);
    }
}

/// <summary>Warnings and errors of the node on stderr (the test shows them when it fails).</summary>
internal sealed class StderrLogs : Microsoft.Extensions.Logging.ILoggerProvider
{
    public Microsoft.Extensions.Logging.ILogger CreateLogger(string categoryName) => new L(categoryName);

    public void Dispose()
    {
    }

    private sealed class L(string c) : Microsoft.Extensions.Logging.ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => logLevel >= Microsoft.Extensions.Logging.LogLevel.Warning;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Console.Error.WriteLine($"{logLevel} {c}: {formatter(state, exception)} {exception?.Message}");
    }
}
