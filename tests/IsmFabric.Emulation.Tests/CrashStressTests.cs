using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using Xunit.Abstractions;
using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation.Tests;

/// <summary>Tests that keep both cores busy with several processes: they run alone.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AloneCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "runs alone";
}

/// <summary>
/// Four LPAR processes register, unregister, move and signal on one emulated CEC while the test kills (SIGKILL) and
/// stops (SIGSTOP, then SIGCONT or SIGKILL) them at random points, hundreds of times. The survivors must keep making
/// progress (nobody wedged), no command may take longer than the CEC lock's bound, and once every process is gone the
/// repair leaves nothing behind: no DMB entry, DMB count, SBA slot bit, pending free or attached LPAR.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed unsafe partial class CrashStressTests(ITestOutputHelper output) : IDisposable
{
    private const int Sigcont = 18;
    private const int Sigstop = 19;
    private static readonly int Rounds = int.TryParse(Environment.GetEnvironmentVariable("ISMFABRIC_STRESS_ROUNDS"), out var n) ? n : 300;
    private static readonly TimeSpan Wedged = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan CommandBound = CecLock.MaxWait + TimeSpan.FromSeconds(1);
    private readonly CecFixture _cec = new(lpars: 4, functionsPerLpar: 1, memory: 64L << 20);
    private readonly Worker[] _workers = new Worker[4];

    [Fact]
    public void Killing_and_stopping_lpar_processes_at_random_never_wedges_the_others_nor_leaks_what_they_held()
    {
        var random = new Random(20261129);

        // Stores that take 200 us keep the movers inside their hazard window much of the time: kills and stops land
        // in the middle of moves, and unregisters meet moves in flight.
        foreach (var f in _cec.Definition.Functions)
        {
            _cec.Cec.InjectFault(f.Fid, new FunctionFault { SlowMovesMicroseconds = 200 });
        }

        for (var w = 0; w < _workers.Length; w++)
        {
            _workers[w] = new Worker(_cec.Directory, $"lpar{w + 1}", random.Next());
        }

        int kills = 0, stops = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var worker = _workers[random.Next(_workers.Length)];
            switch (random.Next(3))
            {
                case 0:
                    worker.Kill();
                    kills++;
                    break;
                case 1:
                    worker.Signal(Sigstop);
                    Thread.Sleep(random.Next(20, 400)); // the others carry on meanwhile; a stop inside the lock makes their commands busy
                    worker.Signal(Sigcont);
                    stops++;
                    break;
                default:
                    worker.Signal(Sigstop);
                    Thread.Sleep(random.Next(5, 100));
                    worker.Kill();
                    kills++;
                    stops++;
                    break;
            }

            Thread.Sleep(random.Next(10, 120));
            if (round % 25 == 24)
            {
                AllMakeProgress($"after round {round + 1}");
            }
        }

        AllMakeProgress("at the end");
        var longest = _workers.Max(w => w.LongestCommand);
        output.WriteLine($"{Rounds} rounds: {kills} kills, {stops} stops, {_workers.Sum(w => w.Starts)} process starts; longest command of a running process {longest.TotalMilliseconds:0} ms");
        foreach (var w in _workers)
        {
            w.Kill(restart: false);
        }

        Assert.True(longest <= CommandBound, $"a command took {longest.TotalMilliseconds:0} ms, more than the bound of {CommandBound.TotalMilliseconds:0} ms");
        AssertNothingLeaked();
    }

    private void AllMakeProgress(string when)
    {
        var before = _workers.Select(w => w.Operations).ToArray();
        var since = Stopwatch.StartNew();
        for (var w = 0; w < _workers.Length; w++)
        {
            while (_workers[w].Operations <= before[w])
            {
                Assert.True(since.Elapsed < Wedged,
                    $"{_workers[w].Lpar} did no operation for {Wedged.TotalSeconds} s {when}: wedged (last lines: {_workers[w].Tail})");
                Thread.Sleep(20);
            }
        }
    }

    private void AssertNothingLeaked()
    {
        using var snapshotCec = EmulatedCec.Open(_cec.Directory);
        var snapshot = snapshotCec.Snapshot(); // the repair a newcomer's `cec show` runs
        Assert.All(snapshot.Lpars, l => Assert.False(l.Attached, $"{l.Name} is still attached"));
        Assert.Empty(snapshot.Dmbs);
        using var machine = CecMachine.Open(_cec.Directory);
        Assert.Equal(0, I32(machine.Dmb(0) - CecLayout.DmbTable, CecLayout.HPendingFrees));
        for (var f = 0; f < machine.FunctionCount; f++)
        {
            var fn = machine.Function(f);
            Assert.Equal(0, I32(fn, CecLayout.FDmbCount));
            Assert.Equal(0, I32(fn, CecLayout.FPid));
            Assert.Equal(0UL, U64(fn, CecLayout.FHazard));
            Assert.True(new ReadOnlySpan<byte>(fn + CecLayout.FSbaSlots, CecLayout.SlotCount / 8).IndexOfAnyExcept((byte)0) < 0, $"function {f} has SBA slots marked in use");
        }

        for (var d = 1; d < CecLayout.DmbCapacity; d++)
        {
            Assert.Equal(0, I32(machine.Dmb(d), CecLayout.DState));
        }
    }

    public void Dispose()
    {
        foreach (var w in _workers)
        {
            w?.Kill(restart: false);
        }

        _cec.Dispose();
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int SendSignal(int pid, int signal);

    /// <summary>One LPAR process (IsmFabric.Emulation.StressWorker), restarted after every kill.</summary>
    private sealed class Worker
    {
        private readonly string _cecDirectory;
        private readonly int _seed;
        private readonly Queue<string> _tail = new();
        private Process? _process;
        private long _operationsBefore;
        private long _operations;
        private long _longestMs;

        public Worker(string cecDirectory, string lpar, int seed)
        {
            _cecDirectory = cecDirectory;
            Lpar = lpar;
            _seed = seed;
            Start();
        }

        public string Lpar { get; }

        public int Starts { get; private set; }

        /// <summary>Operations done by all its processes so far.</summary>
        public long Operations => Interlocked.Read(ref _operationsBefore) + Interlocked.Read(ref _operations);

        public TimeSpan LongestCommand => TimeSpan.FromMilliseconds(Interlocked.Read(ref _longestMs));

        public string Tail
        {
            get
            {
                lock (_tail)
                {
                    return string.Join(" | ", _tail);
                }
            }
        }

        public void Signal(int signal)
        {
            if (_process is { HasExited: false } p)
            {
                _ = SendSignal(p.Id, signal);
            }
        }

        public void Kill(bool restart = true)
        {
            if (_process is { } p)
            {
                try
                {
                    p.Kill();
                }
                catch (InvalidOperationException)
                {
                    // already gone
                }

                p.WaitForExit();
                p.Dispose();
                _process = null;
                Interlocked.Add(ref _operationsBefore, Interlocked.Exchange(ref _operations, 0));
            }

            if (restart)
            {
                Start();
            }
        }

        private void Start()
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "IsmFabric.Emulation.StressWorker.dll");
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { dll, _cecDirectory, Lpar, (_seed + Starts).ToString(CultureInfo.InvariantCulture) })
            {
                info.ArgumentList.Add(a);
            }

            var process = new Process { StartInfo = info };
            process.OutputDataReceived += (_, e) => OnLine(process, e.Data);
            process.ErrorDataReceived += (_, e) => OnLine(process, e.Data);
            process.Start();
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            _process = process;
            Starts++;
        }

        private void OnLine(Process from, string? line)
        {
            if (line is null || !ReferenceEquals(from, _process))
            {
                return;
            }

            lock (_tail)
            {
                _tail.Enqueue(line);
                while (_tail.Count > 3)
                {
                    _tail.Dequeue();
                }
            }

            var words = line.Split(' ');
            if (words is ["PROGRESS", var ops, var ms])
            {
                Interlocked.Exchange(ref _operations, long.Parse(ops, CultureInfo.InvariantCulture));
                var longest = long.Parse(ms, CultureInfo.InvariantCulture);
                var seen = Interlocked.Read(ref _longestMs);
                while (longest > seen && Interlocked.CompareExchange(ref _longestMs, longest, seen) != seen)
                {
                    seen = Interlocked.Read(ref _longestMs);
                }
            }
        }
    }
}
