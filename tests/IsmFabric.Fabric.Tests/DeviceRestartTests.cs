using IsmFabric.Fabric.Protocol;
using System.Buffers.Binary;
using IsmFabric.Emulation;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace IsmFabric.Fabric.Tests;

/// <summary>A device actor brought up again after an injected fault: what it owned is registered again, nothing leaks.</summary>
[Collection(FdCountingCollection.Name)]
public sealed class DeviceRestartTests(ITestOutputHelper output)
{
    private readonly ILoggerFactory _logs = LoggerFactory.Create(b => b.AddProvider(new XunitLoggerProvider(output)).SetMinimumLevel(LogLevel.Information));

    private static int OpenFds() => Directory.GetFiles("/proc/self/fd").Length;

    [Fact]
    public async Task A_restarted_device_registers_the_channel_again_and_the_process_leaks_no_file_descriptors()
    {
        // One function per LPAR: when it fails there is no other path, so the channel waits for the device to come back.
        await using var nodes = await TwoNodesWithOneFunctionAsync();
        await nodes.WaitConnectedAsync(routes: 1);
        var a = await nodes.A.OpenChannelAsync("lpar2", CancellationToken.None);
        var b = await nodes.B.AcceptedChannels.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        await RoundTripAsync(a, b, 0);
        var fdsBefore = OpenFds();
        var fid = nodes.Fid("lpar1", 0);

        using (var cec = EmulatedCec.Open(nodes.Directory))
        {
            cec.InjectFault(fid, new FunctionFault { EnterErrorState = true });
        }

        var sending = a.SendAsync(Message(1)).AsTask(); // accepted, waits for a path

        // The device actor fails the next time it touches the function (a move, a keepalive) and its supervisor
        // keeps trying to bring it up; wait until the node reports it down before the function recovers.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await nodes.A.GetDevicesAsync(CancellationToken.None)).Single(d => d.Fid == fid).State == DeviceState.Up)
        {
            Assert.True(DateTime.UtcNow < deadline, "the failed function's device actor never went down");
            await Task.Delay(20);
        }

        using (var cec = EmulatedCec.Open(nodes.Directory))
        {
            cec.InjectFault(fid, new FunctionFault { Recover = true });
        }

        await sending;
        Assert.Equal(1, BinaryPrimitives.ReadInt32BigEndian(await b.Incoming.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20))));
        await RoundTripAsync(a, b, 2);

        var device = (await nodes.A.GetDevicesAsync(CancellationToken.None)).Single(d => d.Fid == fid);
        Assert.Equal(DeviceState.Up, device.State);
        Assert.True(device.Restarts >= 1, $"restarts {device.Restarts}");
        Assert.Equal(1, device.Dmbs); // the channel's DMB, registered again on the restarted function
        var channel = Assert.Single(await nodes.A.GetChannelsAsync(CancellationToken.None));
        Assert.Equal(ChannelState.Open, channel.State);
        Assert.True(channel.PathEpoch >= 1);

        // Counted for the whole process: allow the restarted device's teardown a moment to finish closing.
        var settle = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (OpenFds() != fdsBefore && DateTime.UtcNow < settle)
        {
            await Task.Delay(50);
        }

        Assert.Equal(fdsBefore, OpenFds());
    }

    private static byte[] Message(int n)
    {
        var m = new byte[256];
        BinaryPrimitives.WriteInt32BigEndian(m, n);
        return m;
    }

    private static async Task RoundTripAsync(IFabricChannel a, IFabricChannel b, int n)
    {
        await a.SendAsync(Message(n));
        var got = await b.Incoming.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(n, BinaryPrimitives.ReadInt32BigEndian(got));
        await b.SendAsync(got);
        await a.Incoming.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
    }

    private Task<TwoNodes> TwoNodesWithOneFunctionAsync() =>
        TwoNodes.StartAsync(_logs, functionsPerLpar: 1, tune: s => s with
        {
            DeviceRestartMinBackoff = TimeSpan.FromMilliseconds(50),
            DeviceRestartMaxBackoff = TimeSpan.FromMilliseconds(200),
            NegotiationTimeout = TimeSpan.FromMilliseconds(500),
            KeepaliveMisses = 10,
        });
}
