using System.Diagnostics;
using IsmFabric.Emulation;
using IsmFabric.Fabric.Protocol;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace IsmFabric.Fabric.Tests;

/// <summary>
/// A node whose function fails and recovers hundreds of times stays flat: after the first cycles, the process's
/// resident memory, managed heap, open file descriptors and threads do not grow with the number of device restarts.
/// </summary>
[Collection(FdCountingCollection.Name)]
public sealed class FaultCycleTests(ITestOutputHelper output)
{
    private const int WarmUp = 20;
    private static readonly int Cycles = int.TryParse(Environment.GetEnvironmentVariable("ISMFABRIC_FAULT_CYCLES"), out var n) ? n : 200;
    private readonly ILoggerFactory _logs = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Warning));

    [Fact]
    public async Task Hundreds_of_device_restarts_leave_memory_fds_and_threads_flat()
    {
        await using var nodes = await TwoNodes.StartAsync(_logs, functionsPerLpar: 1, tune: s => s with
        {
            KeepaliveInterval = TimeSpan.FromMilliseconds(10),
            KeepaliveMisses = 100,
            DeviceRestartMinBackoff = TimeSpan.FromMilliseconds(5),
            DeviceRestartMaxBackoff = TimeSpan.FromMilliseconds(20),
        });
        await nodes.WaitConnectedAsync(routes: 1);
        var fid = nodes.Fid("lpar1", 0);
        Usage before = default;
        for (var cycle = 1; cycle <= Cycles; cycle++)
        {
            await CycleAsync(nodes, fid, cycle);
            if (cycle == WarmUp)
            {
                before = Usage.Now();
            }
        }

        var after = Usage.Now();
        output.WriteLine($"after {WarmUp} cycles: {before}; after {Cycles}: {after}");
        var restarts = (await nodes.A.GetDevicesAsync(CancellationToken.None)).Single(d => d.Fid == fid).Restarts;
        Assert.True(restarts >= Cycles, $"only {restarts} restarts");
        Assert.True(after.ResidentBytes - before.ResidentBytes < 24L << 20, $"resident memory grew by {(after.ResidentBytes - before.ResidentBytes) >> 10} KiB over {Cycles - WarmUp} restarts");
        Assert.True(after.ManagedBytes - before.ManagedBytes < 2L << 20, $"the managed heap grew by {(after.ManagedBytes - before.ManagedBytes) >> 10} KiB over {Cycles - WarmUp} restarts");
        Assert.True(after.Fds - before.Fds <= 2, $"open fds went from {before.Fds} to {after.Fds}");
        Assert.True(after.Threads - before.Threads <= 4, $"threads went from {before.Threads} to {after.Threads}");
    }

    private static async Task CycleAsync(TwoNodes nodes, uint fid, int cycle)
    {
        using (var cec = EmulatedCec.Open(nodes.Directory))
        {
            cec.InjectFault(fid, new FunctionFault { EnterErrorState = true });
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while ((await nodes.A.GetDevicesAsync(CancellationToken.None)).Single(d => d.Fid == fid).State == DeviceState.Up)
        {
            Assert.True(DateTime.UtcNow < deadline, $"cycle {cycle}: the failed function's device never went down");
            await Task.Delay(2);
        }

        using (var cec = EmulatedCec.Open(nodes.Directory))
        {
            cec.InjectFault(fid, new FunctionFault { Recover = true });
        }

        while ((await nodes.A.GetDevicesAsync(CancellationToken.None)).Single(d => d.Fid == fid).State != DeviceState.Up)
        {
            Assert.True(DateTime.UtcNow < deadline, $"cycle {cycle}: the device never came back up");
            await Task.Delay(2);
        }
    }

    private readonly record struct Usage(long ResidentBytes, long ManagedBytes, int Fds, int Threads)
    {
        public static Usage Now()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var statm = File.ReadAllText("/proc/self/statm").Split(' ');
            var resident = long.Parse(statm[1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
            using var self = Process.GetCurrentProcess();
            return new Usage(resident, GC.GetTotalMemory(forceFullCollection: true), Directory.GetFiles("/proc/self/fd").Length, self.Threads.Count);
        }

        public override string ToString() => $"RSS {ResidentBytes >> 20} MiB, heap {ManagedBytes >> 10} KiB, {Fds} fds, {Threads} threads";
    }
}
