using Akka.Actor;
using Akka.TestKit;
using IsmFabric.Fabric.Peers;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Ism;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace IsmFabric.Fabric.Tests.Peers;

/// <summary>A peer actor's keepalive on a virtual clock: answered test-links keep a GID up, missed ones take it down.</summary>
public sealed class PeerKeepaliveTests(ITestOutputHelper output)
    : FabricTestKit(output, "akka.scheduler.implementation = \"Akka.TestKit.TestScheduler, Akka.TestKit\"")
{
    private static readonly Gid PeerGid = new(0x1000_0000_0000_0021);
    private static readonly FunctionDescriptor Function = new("ism-00000010", 0x10, 0x0100, "NET");

    private TestScheduler Clock => (TestScheduler)Sys.Scheduler;

    private (IActorRef Peer, Akka.TestKit.TestProbe Node, Akka.TestKit.TestProbe Device) StartUp()
    {
        var settings = new FabricNodeSettings { NodeName = "lpar1", KeepaliveInterval = TimeSpan.FromMilliseconds(250), KeepaliveMisses = 3 };
        var node = CreateTestProbe();
        var device = CreateTestProbe();
        var definition = new PeerDefinition("lpar2", [PeerGid.Value]);
        var peer = Sys.ActorOf(Props.Create(() => new PeerActor(definition, settings, node.Ref, NullLogger.Instance)));
        peer.Tell(new DevicesChanged([new DeviceUp(Function, new Gid(0x1000_0000_0000_0010), new Chid(0x0100), device.Ref)]));
        Assert.Equal(PeerGid, device.ExpectMsg<QueryRemote>().Gid);
        device.Reply(new RemoteAnswer(PeerGid, true));
        var routes = node.ExpectMsg<PeerRoutes>();
        Assert.Equal(PeerGid, Assert.Single(routes.Routes).PeerGid);
        return (peer, node, device);
    }

    [Fact]
    public void Answered_test_links_keep_the_route_up()
    {
        var (peer, node, device) = StartUp();
        for (var i = 0; i < 10; i++)
        {
            Clock.Advance(TimeSpan.FromMilliseconds(250));
            var probe = device.ExpectMsg<SendEvent>();
            Assert.Equal(IsmEventCode.TestLink, probe.Code);
            peer.Tell(new KeepaliveAnswer(PeerGid, TestLinkInfo.Decode(probe.Info).LinkGroupId));
            var routes = node.ExpectMsg<PeerRoutes>();
            Assert.True(routes.Quiet, "an answered keepalive only updates timings");
            Assert.Single(routes.Routes);
        }
    }

    [Fact]
    public void Three_missed_test_links_take_the_route_down_and_the_function_is_probed_again()
    {
        var (_, node, device) = StartUp();
        for (var i = 0; i < 3; i++)
        {
            Clock.Advance(TimeSpan.FromMilliseconds(250));
            device.ExpectMsg<SendEvent>(); // never answered
            node.ExpectNoMsg(TimeSpan.FromMilliseconds(20));
        }

        Clock.Advance(TimeSpan.FromMilliseconds(250));
        var down = node.ExpectMsg<PeerRoutes>();
        Assert.Empty(down.Routes);
        Assert.False(down.Quiet);
        Assert.Equal(PeerGid, device.ExpectMsg<QueryRemote>().Gid); // looking for a way back
    }
}
