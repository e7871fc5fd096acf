using IsmFabric.Fabric.Protocol;
using System.Buffers.Binary;
using IsmFabric.Emulation;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace IsmFabric.Fabric.Tests;

/// <summary>Two fabric nodes in one process on an emulated CEC.</summary>
public sealed class FabricNodeTests(ITestOutputHelper output)
{
    private readonly ILoggerFactory _logs = LoggerFactory.Create(b => b.AddProvider(new XunitLoggerProvider(output)).SetMinimumLevel(LogLevel.Information));

    [Fact]
    public async Task Nodes_find_each_other_by_query_rgid_and_keepalive_on_both_chids()
    {
        await using var nodes = await TwoNodes.StartAsync(_logs);
        await nodes.WaitConnectedAsync();
        var devices = await nodes.A.GetDevicesAsync(CancellationToken.None);
        Assert.Equal(2, devices.Count);
        Assert.All(devices, d => Assert.Equal(DeviceState.Up, d.State));
        var peer = Assert.Single(await nodes.B.GetPeersAsync(CancellationToken.None));
        Assert.True(peer.Reachable);
        Assert.Equal(2, peer.ReachableGids.Count);
    }

    [Fact]
    public async Task A_channel_negotiated_in_band_carries_messages_both_ways_in_order()
    {
        await using var nodes = await TwoNodes.StartAsync(_logs);
        await nodes.WaitConnectedAsync();
        var a = await nodes.A.OpenChannelAsync("lpar2", CancellationToken.None);
        var b = await nodes.B.AcceptedChannels.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(a.Id, b.Id);

        const int count = 2000;
        var send = Task.Run(async () =>
        {
            var m = new byte[1000];
            for (var i = 0; i < count; i++)
            {
                BinaryPrimitives.WriteInt32BigEndian(m, i);
                await a.SendAsync(m);
            }
        });
        for (var i = 0; i < count; i++)
        {
            var m = await b.Incoming.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.Equal(i, BinaryPrimitives.ReadInt32BigEndian(m));
        }

        await send;
        await b.SendAsync(new byte[] { 42 });
        Assert.Equal([42], await a.Incoming.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10)));
        var channels = await nodes.A.GetChannelsAsync(CancellationToken.None);
        Assert.Equal(ChannelState.Open, Assert.Single(channels).State);

        await a.CloseAsync();
        await b.Completion.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(a.Completion.IsCompletedSuccessfully);

        // Every send after the close fails at once, the second as well as the first (a failed send gives its turn back).
        for (var attempt = 0; attempt < 2; attempt++)
        {
            await Assert.ThrowsAsync<ChannelClosedException>(() => a.SendAsync(new byte[] { 1 }).AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        }
    }

    [Fact]
    public async Task A_function_failing_mid_stream_moves_the_channel_to_another_function_without_loss_or_repetition()
    {
        // Both functions of each LPAR on one CHID: two paths to the same peer.
        await using var nodes = await TwoNodes.StartAsync(_logs, chids: [0x0100]);
        await nodes.WaitConnectedAsync();
        var a = await nodes.A.OpenChannelAsync("lpar2", CancellationToken.None);
        var b = await nodes.B.AcceptedChannels.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        var channel = Assert.Single(await nodes.A.GetChannelsAsync(CancellationToken.None));
        var fid = Convert.ToUInt32(channel.Device, 16);

        const int count = 3000;
        var send = Task.Run(async () =>
        {
            var m = new byte[4000];
            for (var i = 0; i < count; i++)
            {
                BinaryPrimitives.WriteInt32BigEndian(m, i);
                if (i == count / 3)
                {
                    using var cec = EmulatedCec.Open(nodes.Directory);
                    cec.InjectFault(fid, new FunctionFault { EnterErrorState = true });
                }

                await a.SendAsync(m);
            }
        });
        for (var i = 0; i < count; i++)
        {
            byte[] m;
            try
            {
                m = await b.Incoming.ReadAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(20));
            }
            catch (TimeoutException)
            {
                output.WriteLine($"stalled at {i}: sender {((Channels.FabricChannel)a).Describe()}");
                output.WriteLine($"receiver {((Channels.FabricChannel)b).Describe()}");
                output.WriteLine($"the sending task: {send.Status} {send.Exception?.GetBaseException()}");
                throw;
            }

            Assert.Equal(i, BinaryPrimitives.ReadInt32BigEndian(m));
        }

        await send;
        var after = Assert.Single(await nodes.A.GetChannelsAsync(CancellationToken.None));
        Assert.Equal(ChannelState.Open, after.State);
        Assert.NotEqual(channel.Device, after.Device);
        Assert.True(after.PathEpoch >= 1);
        var notices = new List<ChannelNotice>();
        while (a.Notices.TryRead(out var n))
        {
            notices.Add(n);
        }

        Assert.Contains(notices, n => n.Kind == ChannelNoticeKind.FailedOver);
    }

    [Fact]
    public async Task Opening_a_channel_to_an_unknown_peer_fails_with_a_clear_reason()
    {
        await using var nodes = await TwoNodes.StartAsync(_logs);
        var e = await Assert.ThrowsAsync<ChannelClosedException>(() => nodes.A.OpenChannelAsync("nosuch", CancellationToken.None));
        Assert.Contains("not a configured peer", e.Message, StringComparison.Ordinal);
    }
}

/// <summary>Routes logs into the test output.</summary>
internal sealed class XunitLoggerProvider(ITestOutputHelper output) : ILoggerProvider
{
    public ILogger CreateLogger(string categoryName) => new XunitLogger(output, categoryName);

    public void Dispose()
    {
    }

    private sealed class XunitLogger(ITestOutputHelper output, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            try
            {
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss.fff} {logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception.Message)}");
            }
            catch (InvalidOperationException)
            {
                // the test already finished
            }
        }
    }
}
