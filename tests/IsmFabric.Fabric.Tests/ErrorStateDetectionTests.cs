using IsmFabric.Emulation;
using IsmFabric.Fabric.Protocol;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace IsmFabric.Fabric.Tests;

/// <summary>
/// A function that enters error state tells its own driver nothing (its peers get firmware events): the node must
/// still notice at once, not at its next keepalive or command.
/// </summary>
public sealed class ErrorStateDetectionTests(ITestOutputHelper output)
{
    private readonly ILoggerFactory _logs = LoggerFactory.Create(b => b.AddProvider(new XunitLoggerProvider(output)).SetMinimumLevel(LogLevel.Information));

    [Fact]
    public async Task An_idle_function_entering_error_state_is_taken_down_by_its_node_without_waiting_for_a_keepalive()
    {
        // Keepalives every 30 s and no traffic: nothing but the interrupt the error state causes can reveal it.
        await using var nodes = await TwoNodes.StartAsync(_logs, chids: [0x0100], functionsPerLpar: 1,
            tune: s => s with { KeepaliveInterval = TimeSpan.FromSeconds(30), DeviceRestartMinBackoff = TimeSpan.FromSeconds(20), DeviceRestartMaxBackoff = TimeSpan.FromSeconds(30) });
        var fid = nodes.Definition.Functions.Single(f => f.Lpar == "lpar1").Fid;
        await WaitForStateAsync(nodes.A, fid, DeviceState.Up, TimeSpan.FromSeconds(10));

        using (var cec = EmulatedCec.Open(nodes.Directory))
        {
            cec.InjectFault(fid, new FunctionFault { EnterErrorState = true });
        }

        await WaitForStateAsync(nodes.A, fid, null, TimeSpan.FromSeconds(5));
    }

    /// <summary>Waits until the device is in <paramref name="state"/> (null: anything but up).</summary>
    private static async Task WaitForStateAsync(FabricNode node, uint fid, DeviceState? state, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        DeviceStatus? device = null;
        while (DateTime.UtcNow < deadline)
        {
            device = (await node.GetDevicesAsync(CancellationToken.None)).Single(d => d.Fid == fid);
            if (state is { } s ? device.State == s : device.State != DeviceState.Up)
            {
                return;
            }

            await Task.Delay(20);
        }

        Assert.Fail($"function 0x{fid:x} is {device?.State} after {within.TotalSeconds} s, expected {(state?.ToString() ?? "not up")}");
    }
}
