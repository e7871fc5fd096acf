using System.Diagnostics;
using Akka.Actor;
using Akka.Event;
using IsmFabric.Emulation;
using IsmFabric.Fabric.Devices;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Ism;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace IsmFabric.Fabric.Tests.Devices;

/// <summary>
/// A device actor stops (closing its gates, unregistering and unmapping) while data-plane threads read its DMB and
/// move through its function as fast as they can, again and again: no reader ever sees memory the device let go of
/// (the emulator poisons freed DMA memory), no writer touches the function after the device released it, nothing hangs.
/// </summary>
[Collection(FdCountingCollection.Name)] // spins three threads flat out: alone, so it does not starve other tests' timing
public sealed class DeviceGateRaceTests : FabricTestKit, IDisposable
{
    private readonly ITestOutputHelper _output;

    public DeviceGateRaceTests(ITestOutputHelper output)
        : base(output) => _output = output;

    private const int Rounds = 1000;
    private const int DmbSize = 16384;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ismfabric-gate-" + Guid.NewGuid().ToString("n")[..10]);

    [Fact]
    public void Stopping_a_device_under_busy_readers_and_writers_never_exposes_freed_memory()
    {
        var definition = CecDefinition.Build("gate", 2, 1, [0x0100], ["NET"], 32L << 20, seed: 3);
        EmulatedCec.Create(_dir, definition).Dispose();
        using var lpar1 = EmulatedLpar.Attach(_dir, "lpar1");
        using var lpar2 = EmulatedLpar.Attach(_dir, "lpar2");
        using var peer = new IsmFunction(lpar2.OpenFunction(lpar2.Functions[0].Fid));
        peer.BringUp();
        var provider = new EmulatedDeviceProvider(lpar1);
        var function = provider.Discover().Single();
        var localGid = new Gid(definition.Functions.Single(f => f.Lpar == "lpar1").Gid);
        var peerDmb = peer.RegisterDmb(DmbSize, localGid); // where our writers move to
        var settings = new FabricNodeSettings { NodeName = "lpar1" };
        var node = CreateTestProbe();
        var routing = new EventRouting(CreateTestProbe().Ref, CreateTestProbe().Ref, new Dictionary<Gid, IActorRef>());
        long reads = 0, moves = 0, refused = 0;
        var slowestStop = 0.0;
        var problems = new List<string>();

        for (var round = 0; round < Rounds && problems.Count == 0; round++)
        {
            var device = Sys.ActorOf(Props.Create(() => new DeviceActor(function, provider, settings, node.Ref, routing, NullLogger.Instance)));
            Watch(device);
            node.ExpectMsg<DeviceUp>(TimeSpan.FromSeconds(10));
            device.Tell(new RegisterDmb(round, DmbSize, peer.Gid), TestActor);
            var handle = ExpectMsg<DmbRegistered>(TimeSpan.FromSeconds(10)).Handle;
            var pattern = (byte)(1 + (round % 200)); // never the poison
            Assert.True(handle.TryEnter());
            handle.Memory.Fill(pattern);
            handle.Exit();

            var stop = false;
            var data = new byte[4096];
            Array.Fill(data, pattern);
            var threads = new[]
            {
                new Thread(() => Read(handle, pattern, () => Volatile.Read(ref stop), ref reads, problems)),
                new Thread(() => Read(handle, pattern, () => Volatile.Read(ref stop), ref reads, problems)),
                new Thread(() => Move(handle, peerDmb.Token, data, () => Volatile.Read(ref stop), ref moves, ref refused, problems)),
            };
            foreach (var t in threads)
            {
                t.Start();
            }

            Thread.SpinWait(Random.Shared.Next(100, 5_000));
            var stopping = Stopwatch.StartNew();
            Sys.Stop(device);
            ExpectTerminated(device, TimeSpan.FromSeconds(60));
            slowestStop = Math.Max(slowestStop, stopping.Elapsed.TotalMilliseconds);
            node.ExpectMsg<DeviceDown>(TimeSpan.FromSeconds(10));
            Volatile.Write(ref stop, true);
            foreach (var t in threads)
            {
                Assert.True(t.Join(TimeSpan.FromSeconds(10)), "a data-plane thread hung");
            }
        }

        Assert.Empty(problems);
        Assert.True(reads > Rounds && moves > Rounds, $"the threads did too little to race: {reads} reads, {moves} moves");
        _output.WriteLine($"{Rounds} device stops; {reads} reads, {moves} moves inside the gate; {refused} entries refused after close; slowest stop {slowestStop:0} ms");
    }

    private static void Read(DmbHandle handle, byte pattern, Func<bool> stop, ref long reads, List<string> problems)
    {
        while (!stop())
        {
            if (!handle.TryEnter())
            {
                return; // the device let go: a data plane reports its path failed
            }

            try
            {
                var memory = handle.Memory;
                for (var i = 0; i < memory.Length; i += 64)
                {
                    if (memory[i] != pattern)
                    {
                        lock (problems)
                        {
                            problems.Add($"byte {i} of {handle} read 0x{memory[i]:x2}, wrote 0x{pattern:x2}");
                        }

                        return;
                    }
                }
            }
            catch (Exception e)
            {
                lock (problems)
                {
                    problems.Add($"reading {handle}: {e.Message}");
                }

                return;
            }
            finally
            {
                handle.Exit();
            }

            Interlocked.Increment(ref reads);
        }
    }

    private static void Move(DmbHandle handle, DmbToken target, byte[] data, Func<bool> stop, ref long moves, ref long refused, List<string> problems)
    {
        while (!stop())
        {
            if (!handle.TryEnter())
            {
                Interlocked.Increment(ref refused);
                return;
            }

            try
            {
                handle.Move(target, 0, data, signal: false);
                Interlocked.Increment(ref moves);
            }
            catch (Exception e)
            {
                lock (problems)
                {
                    problems.Add($"a move through {handle} inside its gate failed: {e.Message}");
                }

                return;
            }
            finally
            {
                handle.Exit();
            }
        }
    }

    public new void Dispose()
    {
        base.Dispose();
        try
        {
            if (Directory.Exists(_dir))
            {
                IommuFaultCheck.AssertNone(_dir);
            }
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
