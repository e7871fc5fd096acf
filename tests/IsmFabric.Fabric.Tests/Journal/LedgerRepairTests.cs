using System.Diagnostics;
using IsmFabric.Emulation;
using IsmFabric.Fabric.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace IsmFabric.Fabric.Tests.Journal;

/// <summary>A node SIGKILLed with a channel open: on its next start the ledger records that channel as ended by the restart.</summary>
public sealed class LedgerRepairTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ismfabric-ledger-" + Guid.NewGuid().ToString("n")[..10]);
    private readonly ILoggerFactory _logs = LoggerFactory.Create(b => b.AddProvider(new XunitLoggerProvider(output)).SetMinimumLevel(LogLevel.Information));

    [Fact]
    public async Task A_node_killed_with_an_open_channel_repairs_its_ledger_on_restart()
    {
        var definition = CecDefinition.Build("ledger", 2, 1, [0x0100], ["NET"], 32L << 20, seed: 9);
        EmulatedCec.Create(Path.Combine(_dir, "cec"), definition).Dispose();
        var cec = Path.Combine(_dir, "cec");
        var journal = Path.Combine(_dir, "lpar1.db");
        using var lpar2 = EmulatedLpar.Attach(cec, "lpar2");
        var peerSettings = new FabricNodeSettings
        {
            NodeName = "lpar2",
            Peers = [new PeerDefinition("lpar1", definition.Functions.Where(f => f.Lpar == "lpar1").Select(f => f.Gid).ToList())],
            KeepaliveInterval = TimeSpan.FromMilliseconds(100),
        };
        await using var peer = await FabricNode.StartAsync(peerSettings, new EmulatedDeviceProvider(lpar2), null, _logs, CancellationToken.None);
        var served = Task.Run(async () =>
        {
            await foreach (var channel in peer.AcceptedChannels.ReadAllAsync())
            {
                _ = channel; // claimed: kept open until the other side goes away
            }
        });

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "IsmFabric.Fabric.JournalWriter.dll"), "--sqlite", journal, "--cec", cec, "--lpar", "lpar1", "--peer", "lpar2" })
        {
            psi.ArgumentList.Add(a);
        }

        using (var node = Process.Start(psi)!)
        {
            try
            {
                var line = await node.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                Assert.StartsWith("OPEN ", line, StringComparison.Ordinal);
            }
            finally
            {
                node.Kill(entireProcessTree: true); // SIGKILL: no ordered stop, the ledger still says the channel is open
                await node.WaitForExitAsync();
            }
        }

        SqliteConnection.ClearAllPools();
        using var lpar1 = EmulatedLpar.Attach(cec, "lpar1"); // the CEC reclaimed the dead process's LPAR
        var settings = new FabricNodeSettings { NodeName = "lpar1", Peers = [new PeerDefinition("lpar2", definition.Functions.Where(f => f.Lpar == "lpar2").Select(f => f.Gid).ToList())] };
        await using var restarted = await FabricNode.StartAsync(settings, new EmulatedDeviceProvider(lpar1), FabricJournalOptions.Sqlite(journal), _logs, CancellationToken.None);
        // The ledger recovers (and, under load, may still be recovering or restarting under its backoff supervisor).
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        (long Opened, long Ended, int Open) counts = default;
        while (counts.Ended == 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"the ledger was not repaired: {counts}");
            try
            {
                counts = await restarted.GetLedgerCountsAsync(CancellationToken.None);
            }
            catch (Akka.Actor.AskTimeoutException)
            {
                // not answering yet
            }

            await Task.Delay(20);
        }

        Assert.Equal((1L, 1L, 0), counts);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            IommuFaultCheck.AssertNone(Path.Combine(_dir, "cec"));
        }
        finally
        {
            try
            {
                Directory.Delete(_dir, true);
            }
            catch (IOException)
            {
            }
        }
    }
}
