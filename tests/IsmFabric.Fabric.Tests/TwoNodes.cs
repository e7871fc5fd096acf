using IsmFabric.Emulation;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric.Tests;

/// <summary>An emulated CEC with two LPARs (two functions each, on two CHIDs by default) and a fabric node on each.</summary>
public sealed class TwoNodes : IAsyncDisposable
{
    private readonly List<EmulatedLpar> _lpars = [];

    private TwoNodes(string dir, CecDefinition definition)
    {
        Directory = dir;
        Definition = definition;
    }

    public string Directory { get; }

    public CecDefinition Definition { get; }

    public FabricNode A { get; private set; } = null!;

    public FabricNode B { get; private set; } = null!;

    public static async Task<TwoNodes> StartAsync(ILoggerFactory logs, ushort[]? chids = null, Func<FabricNodeSettings, FabricNodeSettings>? tune = null, int functionsPerLpar = 2)
    {
        var dir = Path.Combine(Path.GetTempPath(), "ismfabric-fabric-" + Guid.NewGuid().ToString("n")[..10]);
        var definition = CecDefinition.Build("t", 2, functionsPerLpar, chids ?? [0x0100, 0x0200], ["NETA", "NETB"], 32L << 20, seed: 11);
        EmulatedCec.Create(dir, definition).Dispose();
        var nodes = new TwoNodes(dir, definition);
        nodes.A = await nodes.StartNodeAsync("lpar1", "lpar2", logs, tune);
        nodes.B = await nodes.StartNodeAsync("lpar2", "lpar1", logs, tune);
        return nodes;
    }

    private async Task<FabricNode> StartNodeAsync(string lpar, string peer, ILoggerFactory logs, Func<FabricNodeSettings, FabricNodeSettings>? tune)
    {
        var attached = EmulatedLpar.Attach(Directory, lpar);
        _lpars.Add(attached);
        var settings = new FabricNodeSettings
        {
            NodeName = lpar,
            Peers = [new PeerDefinition(peer, Definition.Functions.Where(f => f.Lpar == peer).Select(f => f.Gid).ToList())],
            KeepaliveInterval = TimeSpan.FromMilliseconds(100),
            NegotiationTimeout = TimeSpan.FromMilliseconds(500),
        };
        settings = tune?.Invoke(settings) ?? settings;
        return await FabricNode.StartAsync(settings, new EmulatedDeviceProvider(attached), null, logs, CancellationToken.None);
    }

    public uint Fid(string lpar, int n) => Definition.Functions.Where(f => f.Lpar == lpar).ElementAt(n).Fid;

    /// <summary>Waits until each node sees its peer reachable on <paramref name="routes"/> GIDs.</summary>
    public async Task WaitConnectedAsync(int routes = 2)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var pa = (await A.GetPeersAsync(CancellationToken.None))[0];
            var pb = (await B.GetPeersAsync(CancellationToken.None))[0];
            if (pa.ReachableGids.Count >= routes && pb.ReachableGids.Count >= routes)
            {
                return;
            }

            await Task.Delay(20);
        }

        throw new TimeoutException("the two nodes did not see each other");
    }

    public async ValueTask DisposeAsync()
    {
        await A.StopAsync();
        await B.StopAsync();
        foreach (var l in _lpars)
        {
            l.Dispose();
        }

        try
        {
            IommuFaultCheck.AssertNone(Directory);
        }
        finally
        {
            try
            {
                System.IO.Directory.Delete(Directory, true);
            }
            catch (IOException)
            {
            }
        }
    }
}
