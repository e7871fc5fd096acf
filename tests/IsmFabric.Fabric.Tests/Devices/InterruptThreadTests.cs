using IsmFabric.Emulation;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Vfio;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace IsmFabric.Fabric.Tests.Devices;

/// <summary>A device whose interrupt thread dies is marked failed, and its supervisor brings it up again.</summary>
public sealed class InterruptThreadTests(ITestOutputHelper output) : IDisposable
{
    private readonly ILoggerFactory _logs = LoggerFactory.Create(b => b.AddProvider(new XunitLoggerProvider(output)).SetMinimumLevel(LogLevel.Information));
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ismfabric-irq-" + Guid.NewGuid().ToString("n")[..10]);

    [Fact]
    public async Task A_dying_interrupt_thread_fails_the_device_and_its_supervisor_brings_it_up_again()
    {
        EmulatedCec.Create(_dir, CecDefinition.Build("irq", 2, 1, [0x0100], ["NET"], 16L << 20, seed: 23)).Dispose();
        using var lpar1 = EmulatedLpar.Attach(_dir, "lpar1");
        var provider = new BreakableProvider(new EmulatedDeviceProvider(lpar1));
        var settings = new FabricNodeSettings
        {
            NodeName = "lpar1",
            Peers = [],
            DeviceRestartMinBackoff = TimeSpan.FromMilliseconds(20),
            DeviceRestartMaxBackoff = TimeSpan.FromMilliseconds(100),
        };
        var node = await FabricNode.StartAsync(settings, provider, null, _logs, CancellationToken.None);
        try
        {
            await WaitForAsync(node, d => d.State == DeviceState.Up, "the device never came up");

            provider.BreakInterruptThreads(); // the thread's next wait throws, as a broken eventfd would

            var device = await WaitForAsync(node, d => d.Restarts >= 1 && d.State == DeviceState.Up, "the device was not brought up again");
            Assert.Equal(1, device.Restarts);
        }
        finally
        {
            await node.StopAsync();
        }

        IommuFaultCheck.AssertNone(_dir);
    }

    private static async Task<DeviceStatus> WaitForAsync(FabricNode node, Func<DeviceStatus, bool> condition, string failure)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var device = Assert.Single(await node.GetDevicesAsync(CancellationToken.None));
            if (condition(device))
            {
                return device;
            }

            Assert.True(DateTime.UtcNow < deadline, $"{failure}: {device}");
            await Task.Delay(20);
        }
    }

    public void Dispose()
    {
        _logs.Dispose();
        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>Hands out the emulated functions with interrupt sources that can be made to fail once.</summary>
    private sealed class BreakableProvider(IDeviceProvider inner) : IDeviceProvider
    {
        private readonly List<BreakableInterrupts> _sources = [];

        public IReadOnlyList<FunctionDescriptor> Discover() => inner.Discover();

        public IVfioDevice Open(FunctionDescriptor function) => new BreakableDevice(inner.Open(function), this);

        /// <summary>Every interrupt source handed out so far throws from its next wait; later ones work.</summary>
        internal void BreakInterruptThreads()
        {
            lock (_sources)
            {
                _sources.ForEach(s => s.Broken = true);
            }
        }

        internal IInterruptSource Track(IInterruptSource source)
        {
            var breakable = new BreakableInterrupts(source);
            lock (_sources)
            {
                _sources.Add(breakable);
            }

            return breakable;
        }
    }

    private sealed class BreakableDevice(IVfioDevice inner, BreakableProvider provider) : IVfioDevice
    {
        public string Name => inner.Name;

        public VfioDeviceInfo GetInfo() => inner.GetInfo();

        public VfioRegionInfo GetRegionInfo(uint index) => inner.GetRegionInfo(index);

        public VfioIrqInfo GetIrqInfo(uint index) => inner.GetIrqInfo(index);

        public int Read(long offset, Span<byte> buffer) => inner.Read(offset, buffer);

        public int Write(long offset, ReadOnlySpan<byte> buffer) => inner.Write(offset, buffer);

        public DmaBuffer AllocateDma(int length) => inner.AllocateDma(length);

        public IInterruptSource EnableMsi() => provider.Track(inner.EnableMsi());

        public void DisableMsi() => inner.DisableMsi();

        public void Reset() => inner.Reset();

        public void Dispose() => inner.Dispose();
    }

    private sealed class BreakableInterrupts(IInterruptSource inner) : IInterruptSource
    {
        public volatile bool Broken;

        public long Wait(TimeSpan timeout, CancellationToken cancellationToken = default) =>
            Broken ? throw new InvalidOperationException("injected: the interrupt source broke") : inner.Wait(timeout, cancellationToken);

        public long TryConsume() => inner.TryConsume();

        public void Dispose() => inner.Dispose();
    }
}
