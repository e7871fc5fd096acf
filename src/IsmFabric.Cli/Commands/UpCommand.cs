using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using IsmFabric.Cli.Agent;
using IsmFabric.Emulation;
using Spectre.Console;

namespace IsmFabric.Cli.Commands;

/// <summary>
/// <c>ismfabric up</c>: the main job on embedded defaults. An emulated CEC with three LPARs (two functions each, on
/// two CHIDs), one process per LPAR, live status until Ctrl-C, everything removed afterwards.
/// </summary>
internal static class UpCommand
{
    internal static Command Create()
    {
        var dataDir = new Option<string>("--data-dir") { Description = "Where the emulated CEC lives while running.", DefaultValueFactory = _ => Path.Combine(Environment.CurrentDirectory, "ismfabric-data") };
        var lpars = new Option<int>("--lpars") { Description = "Number of LPARs (2..16).", DefaultValueFactory = _ => 3 };
        var duration = new Option<double>("--duration") { Description = "Stop after this many seconds (0 = until Ctrl-C)." };
        var json = new Option<bool>("--json") { Description = "Print the final status as JSON when stopping." };
        var command = new Command("up", "Start an emulated CEC with several LPAR processes and show them connecting, until Ctrl-C.") { dataDir, lpars, duration, json };
        command.SetAction((r, ct) => CliOutput.RunAsync(() => RunAsync(r.GetValue(dataDir)!, r.GetValue(lpars), r.GetValue(duration), r.GetValue(json), ct)));
        return command;
    }

    private static async Task<int> RunAsync(string dataDir, int lparCount, double duration, bool json, CancellationToken ct)
    {
        if (lparCount is < 2 or > 16)
        {
            throw new ArgumentException($"--lpars must be 2..16, not {lparCount}");
        }

        var cecDir = Path.Combine(Path.GetFullPath(dataDir), "cec");
        PrepareDirectory(cecDir);
        EmulatedCec.Create(cecDir, CecDefinition.Build("up", lparCount, 2, [0x0100, 0x0200], ["NETA", "NETB"], 64L << 20)).Dispose();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        if (duration > 0)
        {
            stop.CancelAfter(TimeSpan.FromSeconds(duration));
        }

        var agents = new List<LparProcess>();
        try
        {
            for (var i = 1; i <= lparCount; i++)
            {
                agents.Add(new LparProcess($"lpar{i}", cecDir));
            }

            CliOutput.Progress($"emulated CEC in {cecDir}: {lparCount} LPAR processes started; Ctrl-C stops everything");
            await ShowAsync(agents, stop.Token);
            var final = agents.Select(a => a.Latest).OfType<LparStatus>().ToList();
            if (json)
            {
                CliOutput.WriteJson(final);
            }
            else
            {
                Console.WriteLine(Summary(agents));
            }

            return 0;
        }
        finally
        {
            foreach (var a in agents)
            {
                a.Stop();
            }

            foreach (var a in agents)
            {
                a.Dispose();
            }

            TryDelete(cecDir);
            CliOutput.Progress($"stopped {agents.Count} LPAR processes and removed {cecDir}");
        }
    }

    private static void PrepareDirectory(string cecDir)
    {
        if (!EmulatedCec.Exists(cecDir))
        {
            if (Directory.Exists(cecDir))
            {
                TryDelete(cecDir); // an interrupted create
            }

            return;
        }

        using (var old = EmulatedCec.Open(cecDir))
        {
            var attached = old.Snapshot().Lpars.Where(l => l.Attached).ToList();
            if (attached.Count > 0)
            {
                throw new InvalidOperationException(
                    $"another 'ismfabric up' is running on {cecDir} ({attached[0].Name} is attached by process {attached[0].Pid}); stop it or pass another --data-dir");
            }
        }

        TryDelete(cecDir); // left by a run that was killed: nothing in it is alive
    }

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }

    private static async Task ShowAsync(List<LparProcess> agents, CancellationToken stop)
    {
        if (Console.IsOutputRedirected)
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromSeconds(2), stop).ContinueWith(_ => { }, TaskScheduler.Default);
                CheckAlive(agents, stop);
                CliOutput.Progress(Summary(agents));
            }

            return;
        }

        await AnsiConsole.Live(Render(agents)).StartAsync(async ctx =>
        {
            while (!stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), stop).ContinueWith(_ => { }, TaskScheduler.Default);
                CheckAlive(agents, stop);
                ctx.UpdateTarget(Render(agents));
            }
        });
    }

    private static void CheckAlive(List<LparProcess> agents, CancellationToken stop)
    {
        var dead = stop.IsCancellationRequested ? null : agents.FirstOrDefault(a => a.HasExited);
        if (dead is not null)
        {
            throw new InvalidOperationException($"the process of {dead.Name} exited with code {dead.ExitCode}: {dead.LastError}");
        }
    }

    private static Table Render(List<LparProcess> agents)
    {
        var table = new Table().Title(Markup.Escape(Summary(agents))).AddColumns("LPAR", "FID", "CHID", "GID", "state", "peers answering", "test-link RTT");
        foreach (var a in agents)
        {
            if (a.Latest is not { } status)
            {
                table.AddRow(a.Name, "-", "-", "-", "starting", "-", "-");
                continue;
            }

            foreach (var f in status.Functions)
            {
                var answering = f.Peers.Count(p => p.Reachable);
                var rtts = f.Peers.Where(p => p.RoundTripMicroseconds.HasValue).Select(p => p.RoundTripMicroseconds!.Value).ToList();
                table.AddRow(
                    status.Lpar, $"0x{f.Fid:x}", $"0x{f.Chid:x4}", f.Gid,
                    f.Up ? "[green]up[/]" : $"[red]down[/] {Markup.Escape(f.Error ?? "")}",
                    $"{answering}/{f.Peers.Count} ({Markup.Escape(string.Join(", ", f.Peers.Where(p => p.Reachable).Select(p => p.Lpar)))})",
                    rtts.Count == 0 ? "-" : $"{rtts.Average().ToString("0", CultureInfo.InvariantCulture)} us");
            }
        }

        return table;
    }

    private static string Summary(List<LparProcess> agents)
    {
        var statuses = agents.Select(a => a.Latest).OfType<LparStatus>().ToList();
        var functions = statuses.SelectMany(s => s.Functions).ToList();
        var links = functions.SelectMany(f => f.Peers).ToList();
        var connected = statuses.Count == agents.Count && functions.All(f => f.Up) && links.All(p => p.Reachable);
        return $"{statuses.Count}/{agents.Count} LPARs reporting, {functions.Count(f => f.Up)}/{functions.Count} functions up, " +
               $"{links.Count(p => p.Reachable)}/{links.Count} peer links answering{(connected ? ": all LPARs connected" : "")}";
    }

    /// <summary>One LPAR agent process and its latest STATUS line.</summary>
    private sealed class LparProcess : IDisposable
    {
        private readonly Process _process;
        private readonly Thread _reader;
        private readonly ConcurrentQueue<string> _errors = new();

        internal LparProcess(string name, string cecDir)
        {
            Name = name;
            _process = Process.Start(SelfProcess.StartInfo("agent", "lpar", "--cec", cecDir, "--lpar", name))
                ?? throw new IOException($"could not start the process of {name}");
            _reader = new Thread(Read) { IsBackground = true };
            _reader.Start();
        }

        internal string Name { get; }

        internal LparStatus? Latest { get; private set; }

        internal bool HasExited => _process.HasExited;

        internal int ExitCode => _process.ExitCode;

        internal string LastError => _errors.LastOrDefault() ?? "no message";

        private void Read()
        {
            while (_process.StandardOutput.ReadLine() is { } line)
            {
                if (line.StartsWith("STATUS ", StringComparison.Ordinal))
                {
                    Latest = JsonSerializer.Deserialize<LparStatus>(line[7..], CliOutput.Json);
                }
                else if (line.StartsWith("ERROR", StringComparison.Ordinal))
                {
                    _errors.Enqueue(line);
                }
            }
        }

        internal void Stop()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.StandardInput.WriteLine("QUIT");
                    _process.StandardInput.Flush();
                }
            }
            catch (IOException)
            {
            }
        }

        public void Dispose()
        {
            if (!_process.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _reader.Join(TimeSpan.FromSeconds(2));
            _process.Dispose();
        }
    }
}
