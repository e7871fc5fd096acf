using IsmFabric.Fabric.Protocol;
using IsmFabric.Channels;
using IsmFabric.Emulation;
using IsmFabric.Ism;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace IsmFabric.Fabric.Tests;

/// <summary>A function that is nobody's configured peer forges negotiation events at a node.</summary>
public sealed class HostilePeerTests(ITestOutputHelper output)
{
    private readonly ILoggerFactory _logs = LoggerFactory.Create(b => b.AddProvider(new XunitLoggerProvider(output)).SetMinimumLevel(LogLevel.Information));

    [Fact]
    public async Task Forged_offers_and_garbage_from_an_unknown_gid_are_declined_and_the_node_keeps_serving()
    {
        var dir = Path.Combine(Path.GetTempPath(), "ismfabric-hostile-" + Guid.NewGuid().ToString("n")[..10]);
        var definition = CecDefinition.Build("t", 3, 1, [0x0100], ["NET"], 32L << 20, seed: 17);
        EmulatedCec.Create(dir, definition).Dispose();
        using var lpar1 = EmulatedLpar.Attach(dir, "lpar1");
        using var lpar2 = EmulatedLpar.Attach(dir, "lpar2");
        using var lpar3 = EmulatedLpar.Attach(dir, "lpar3");
        FabricNodeSettings Settings(string name, string peer) => new()
        {
            NodeName = name,
            Peers = [new PeerDefinition(peer, [definition.Functions.Single(f => f.Lpar == peer).Gid])],
            KeepaliveInterval = TimeSpan.FromMilliseconds(100),
        };
        var a = await FabricNode.StartAsync(Settings("lpar1", "lpar2"), new EmulatedDeviceProvider(lpar1), null, _logs, CancellationToken.None);
        var b = await FabricNode.StartAsync(Settings("lpar2", "lpar1"), new EmulatedDeviceProvider(lpar2), null, _logs, CancellationToken.None);
        try
        {
            var up = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while ((await a.GetDevicesAsync(CancellationToken.None)).Any(d => d.State != DeviceState.Up))
            {
                Assert.True(DateTime.UtcNow < up, "node a's function never came up");
                await Task.Delay(20);
            }

            // The attacker: a raw driver on lpar3, which neither node has configured.
            using var attacker = new IsmFunction(lpar3.OpenFunction(lpar3.Functions[0].Fid));
            attacker.BringUp();
            var target = new Gid(definition.Functions.Single(f => f.Lpar == "lpar1").Gid);
            var decoy = attacker.RegisterDmb(64 * 1024, target);
            var offer = new NegotiationMessage(NegotiationKind.Offer, 77, true, (ushort)(decoy.Token.Value >> 32), 16, DeclineReason.None, 0).Encode();
            attacker.SignalEvent(target, offer.Code, offer.Info);
            attacker.SignalEvent(target, 0xA5, 0xFFFF_FFFF_FFFF_FFFF); // a resume with garbage in every field
            attacker.SignalEvent(target, 0xA2 | (12345u << 8), 0);     // an accept for a channel nobody offered

            // The offer is declined, in-band, with the reason.
            var declined = false;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (!declined && DateTime.UtcNow < deadline)
            {
                attacker.Interrupts.Wait(TimeSpan.FromMilliseconds(100));
                declined = attacker.ProcessInterrupts().Events.Any(e =>
                    NegotiationMessage.IsNegotiation(e.Code) && NegotiationMessage.Decode(e.Code, e.Info) is { Kind: NegotiationKind.Decline, Reason: DeclineReason.UnknownPeer });
            }

            Assert.True(declined, "the forged offer must be declined as coming from an unknown peer");
            Assert.Empty(await a.GetChannelsAsync(CancellationToken.None));

            // The node still serves its real peer.
            var deadlinePeers = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (!(await a.GetPeersAsync(CancellationToken.None))[0].Reachable)
            {
                Assert.True(DateTime.UtcNow < deadlinePeers);
                await Task.Delay(20);
            }

            var channel = await a.OpenChannelAsync("lpar2", CancellationToken.None);
            var accepted = await b.AcceptedChannels.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            await channel.SendAsync(new byte[] { 7 });
            Assert.Equal([7], await accepted.Incoming.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        }
        finally
        {
            await a.StopAsync();
            await b.StopAsync();
            IommuFaultCheck.AssertNone(dir);
        }
    }
}
