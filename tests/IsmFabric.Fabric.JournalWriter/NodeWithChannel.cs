using IsmFabric.Emulation;
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
        var node = await FabricNode.StartAsync(settings, new EmulatedDeviceProvider(attached), FabricJournalOptions.Sqlite(sqlite), NullLoggerFactory.Instance, CancellationToken.None);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        IFabricChannel? channel = null;
        while (channel is null)
        {
            try
            {
                channel = await node.OpenChannelAsync(peer, CancellationToken.None);
            }
            catch (ChannelClosedException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50); // the peer is not reachable yet
            }
        }

        while ((await node.GetLedgerCountsAsync(CancellationToken.None)).Open == 0)
        {
            await Task.Delay(10);
        }

        Console.Out.WriteLine($"OPEN {channel.Id}");
        Console.Out.Flush();
        await Task.Delay(Timeout.Infinite);
    }
}
