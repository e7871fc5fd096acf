using System.Buffers.Binary;
using Akka.Actor;
using Akka.Event;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using IsmFabric.Emulation;
using IsmFabric.Fabric.Protocol;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace IsmFabric.Fabric.Tests;

/// <summary>How the node's actors are supervised: devices restart with backoff even when bring-up fails; a channel that crashes is stopped and leaves no DMB.</summary>
[Collection(FdCountingCollection.Name)]
public sealed class SupervisionTests(ITestOutputHelper output)
{
    private readonly ILoggerFactory _logs = LoggerFactory.Create(b => b.AddProvider(new XunitLoggerProvider(output)).SetMinimumLevel(LogLevel.Information));

    [Fact]
    public async Task A_device_whose_bring_up_fails_again_and_again_comes_up_when_its_function_recovers_and_carries_its_channel_again()
    {
        await using var nodes = await TwoNodes.StartAsync(_logs, functionsPerLpar: 1, tune: s => s with
        {
            DeviceRestartMinBackoff = TimeSpan.FromMilliseconds(20),
            DeviceRestartMaxBackoff = TimeSpan.FromMilliseconds(100),
            KeepaliveMisses = 50,
            KeepaliveInterval = TimeSpan.FromMilliseconds(50),
        });
        await nodes.WaitConnectedAsync(routes: 1);
        var a = await nodes.A.OpenChannelAsync("lpar2", CancellationToken.None);
        var b = await nodes.B.AcceptedChannels.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await RoundTripAsync(a, b, 1);

        // Count the device actor's failed bring-ups (each is an ActorInitializationException its supervisor logs).
        var failures = 0;
        var listener = nodes.A.System.ActorOf(Props.Create(() => new BringUpFailureCounter(() => Interlocked.Increment(ref failures))));
        nodes.A.System.EventStream.Subscribe(listener, typeof(Error));
        var fid = nodes.Fid("lpar1", 0);
        using (var cec = EmulatedCec.Open(nodes.Directory))
        {
            cec.InjectFault(fid, new FunctionFault { EnterErrorState = true });
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (Volatile.Read(ref failures) < 3)
        {
            Assert.True(DateTime.UtcNow < deadline, $"only {failures} failed bring-ups seen");
            await Task.Delay(10);
        }

        var down = (await nodes.A.GetDevicesAsync(CancellationToken.None)).Single(d => d.Fid == fid);
        Assert.NotEqual(DeviceState.Up, down.State);
        using (var cec = EmulatedCec.Open(nodes.Directory))
        {
            cec.InjectFault(fid, new FunctionFault { Recover = true });
        }

        while ((await nodes.A.GetDevicesAsync(CancellationToken.None)).Single(d => d.Fid == fid).State != DeviceState.Up)
        {
            Assert.True(DateTime.UtcNow < deadline, "the device never came back up");
            await Task.Delay(10);
        }

        await RoundTripAsync(a, b, 2);
        var device = (await nodes.A.GetDevicesAsync(CancellationToken.None)).Single(d => d.Fid == fid);
        Assert.Equal(1, device.Dmbs); // the channel's DMB, registered again on the function that came back
        Assert.Equal(ChannelState.Open, Assert.Single(await nodes.A.GetChannelsAsync(CancellationToken.None)).State);
    }

    [Fact]
    public async Task A_channel_actor_that_crashes_is_stopped_and_leaves_no_DMB_behind()
    {
        await using var nodes = await TwoNodes.StartAsync(_logs);
        await nodes.WaitConnectedAsync();
        var a = await nodes.A.OpenChannelAsync("lpar2", CancellationToken.None);
        var b = await nodes.B.AcceptedChannels.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await RoundTripAsync(a, b, 1);
        Assert.Equal(1, CecDmbsOf(nodes, "lpar1"));

        // Kill makes the actor throw (ActorKilledException); its supervisor stops it.
        var channel = await nodes.A.System.ActorSelection("/user/fabric/channels/out-*").ResolveOne(TimeSpan.FromSeconds(5));
        channel.Tell(Kill.Instance);

        var failed = await Assert.ThrowsAnyAsync<Exception>(() => a.Completion.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.IsType<ChannelClosedException>(failed);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (CecDmbsOf(nodes, "lpar1") != 0 || CecDmbsOf(nodes, "lpar2") != 0)
        {
            Assert.True(DateTime.UtcNow < deadline, $"DMBs left: lpar1 {CecDmbsOf(nodes, "lpar1")}, lpar2 {CecDmbsOf(nodes, "lpar2")}");
            await Task.Delay(20);
        }

        // The node goes on: a new channel opens and carries messages.
        var again = await nodes.A.OpenChannelAsync("lpar2", CancellationToken.None);
        var peer = await nodes.B.AcceptedChannels.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await RoundTripAsync(again, peer, 2);
    }

    private static int CecDmbsOf(TwoNodes nodes, string lpar)
    {
        using var cec = EmulatedCec.Open(nodes.Directory);
        return cec.Snapshot().Dmbs.Count(d => d.OwnerLpar == lpar);
    }

    private static async Task RoundTripAsync(IFabricChannel a, IFabricChannel b, int n)
    {
        var m = new byte[256];
        BinaryPrimitives.WriteInt32BigEndian(m, n);
        await a.SendAsync(m);
        var got = await b.Incoming.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(n, BinaryPrimitives.ReadInt32BigEndian(got));
        await b.SendAsync(got);
        Assert.Equal(n, BinaryPrimitives.ReadInt32BigEndian(await a.Incoming.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10))));
    }

    private sealed class BringUpFailureCounter : ReceiveActor
    {
        public BringUpFailureCounter(Action counted) => Receive<Error>(e =>
        {
            if (e.Cause is ActorInitializationException && e.LogSource.Contains("/devices/", StringComparison.Ordinal))
            {
                counted();
            }
        });
    }
}
