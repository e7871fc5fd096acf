using System.Collections.Concurrent;
using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using IsmFabric.Host.Control;
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
        var dataDir = new Option<string>("--data-dir") { Description = "Where the emulated CEC and the nodes' databases and logs live while running (default: $XDG_STATE_HOME/ismfabric/up, else ~/.local/state/ismfabric/up).", DefaultValueFactory = _ => DefaultDataDirectory() };
        var keep = new Option<bool>("--keep") { Description = "Keep the nodes' databases and logs in the data directory after stopping (the CEC is always removed)." };
        var lpars = new Option<int>("--lpars") { Description = "Number of LPARs (2..16).", DefaultValueFactory = _ => 3 }.InRange(2, 16);
        var duration = new Option<double>("--duration") { Description = "Stop after this many seconds (0 = until Ctrl-C)." }.NotNegative("until Ctrl-C");
        var json = new Option<bool>("--json") { Description = "Print the final status as JSON when stopping." };
        var command = new Command("up", "Start an emulated CEC with a fabric node process per LPAR and show them connecting, until Ctrl-C.") { dataDir, lpars, duration, json, keep };
        command.SetAction((r, ct) => CliOutput.RunAsync(() => RunAsync(r.GetValue(dataDir)!, r.GetValue(lpars), r.GetValue(duration), r.GetValue(json), r.GetValue(keep), ct)));
        return command;
    }

    /// <summary>The user's state directory (XDG), where 'up' keeps what its nodes write.</summary>
    internal static string DefaultDataDirectory()
    {
        var state = Environment.GetEnvironmentVariable("XDG_STATE_HOME");
        if (string.IsNullOrEmpty(state) || !Path.IsPathRooted(state))
        {
            state = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "state");
        }

        return Path.Combine(state, "ismfabric", "up");
    }

    private static async Task<int> RunAsync(string dataDir, int lparCount, double duration, bool json, bool keep, CancellationToken ct)
    {
        dataDir = Path.GetFullPath(dataDir);
        var createdDataDir = !Directory.Exists(dataDir);
        var cecDir = Path.Combine(dataDir, "cec");
        PrepareDirectory(cecDir);
        var nodeDirs = Enumerable.Range(1, lparCount).Select(i => Path.Combine(dataDir, $"lpar{i}")).ToList();
        foreach (var stale in nodeDirs.Where(Directory.Exists))
        {
            TryDelete(stale); // a previous run's nodes (kept with --keep, or killed): this run starts afresh
        }

        CliOutput.Progress($"state in {dataDir} ({(keep ? "the nodes' databases and logs are kept after stopping (--keep)" : "removed after stopping; --keep keeps the nodes' databases and logs")})");
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
                agents.Add(new LparProcess($"lpar{i}", cecDir, nodeDirs[i - 1]));
            }

            CliOutput.Progress($"emulated CEC in {cecDir}: {lparCount} node processes started; Ctrl-C stops everything");
            await ShowAsync(agents, stop.Token);
            var final = agents.Select(a => a.Latest).OfType<UpLparStatus>().ToList();
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
            if (keep)
            {
                CliOutput.Progress($"stopped {agents.Count} node processes (channels closed, DMBs unregistered, functions released) and removed the CEC; the nodes' databases and logs are kept in {dataDir}");
            }
            else
            {
                nodeDirs.ForEach(TryDelete);
                if (createdDataDir && !Directory.EnumerateFileSystemEntries(dataDir).Any())
                {
                    Directory.Delete(dataDir);
                }

                CliOutput.Progress($"stopped {agents.Count} node processes (channels closed, DMBs unregistered, functions released) and removed {(createdDataDir ? dataDir : $"the CEC and the nodes' state from {dataDir}")}");
            }
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
                await Task.Delay(TimeSpan.FromSeconds(1), stop).ContinueWith(_ => { }, TaskScheduler.Default);
                CheckAlive(agents, stop);
                await Task.WhenAll(agents.Select(a => a.RefreshAsync()));
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
                await Task.WhenAll(agents.Select(a => a.RefreshAsync()));
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
        var table = new Table().Title(Markup.Escape(Summary(agents))).AddColumns("LPAR", "pid", "functions up", "GIDs (CHID)", "peers reachable", "keepalive RTT", "channels");
        foreach (var a in agents)
        {
            if (a.Latest is not { } s)
            {
                table.AddRow(a.Name, "-", "starting", "-", "-", "-", "-");
                continue;
            }

            var reachable = s.Peers.Where(p => p.Reachable).ToList();
            var rtts = reachable.Where(p => p.KeepaliveRttMicroseconds.HasValue).Select(p => p.KeepaliveRttMicroseconds!.Value).ToList();
            table.AddRow(
                s.Lpar, s.Pid.ToString(CultureInfo.InvariantCulture),
                s.Status.DevicesUp == s.Status.Devices ? $"[green]{s.Status.DevicesUp}/{s.Status.Devices}[/]" : $"[red]{s.Status.DevicesUp}/{s.Status.Devices}[/]",
                Markup.Escape(string.Join(" ", s.Devices.Select(d => $"{(d.Gid.Length > 6 ? d.Gid[..6] + "…" : "-")}({d.Chid:x4})"))),
                $"{reachable.Count}/{s.Peers.Count} ({Markup.Escape(string.Join(", ", reachable.Select(p => $"{p.Name}:{p.ReachableGids.Count}")))})",
                rtts.Count == 0 ? "-" : $"{rtts.Average().ToString("0", CultureInfo.InvariantCulture)} us",
                $"{s.Status.ChannelsOpen}");
        }

        return table;
    }

    private static string Summary(List<LparProcess> agents)
    {
        var statuses = agents.Select(a => a.Latest).OfType<UpLparStatus>().ToList();
        var devicesUp = statuses.Sum(s => s.Status.DevicesUp);
        var devices = statuses.Sum(s => s.Status.Devices);
        var links = statuses.SelectMany(s => s.Peers).ToList();
        var connected = statuses.Count == agents.Count && devicesUp == devices && links.All(p => p.Reachable && p.ReachableGids.Count == p.Gids.Count);
        return $"{statuses.Count}/{agents.Count} nodes answering, {devicesUp}/{devices} functions up, " +
               $"{links.Count(p => p.Reachable)}/{links.Count} peer links reachable{(connected ? ": all LPARs connected" : "")}";
    }

    /// <summary>One node process ('ismfabric node run') and its latest answers on its control socket.</summary>
    private sealed class LparProcess : IDisposable
    {
        private readonly Process _process;
        private readonly ControlClient _client;
        private readonly Task _drain;

        internal LparProcess(string name, string cecDir, string dataDir)
        {
            Name = name;
            var psi = SelfProcess.StartInfo("node", "run", "--cec", cecDir, "--lpar", name, "--data-dir", dataDir);
            psi.RedirectStandardInput = false;
            _process = Process.Start(psi) ?? throw new IOException($"could not start the node process of {name}");
            _drain = _process.StandardOutput.BaseStream.CopyToAsync(Stream.Null); // the node logs to its file too
            _client = new ControlClient(Path.Combine(dataDir, "node.sock"), TimeSpan.FromSeconds(2));
        }

        internal string Name { get; }

        internal UpLparStatus? Latest { get; private set; }

        internal bool HasExited => _process.HasExited;

        internal int ExitCode => _process.ExitCode;

        internal string LastError { get; private set; } = "see its log under the data directory";

        internal async Task RefreshAsync()
        {
            try
            {
                var status = await _client.GetStatusAsync(CancellationToken.None);
                var devices = await _client.GetDevicesAsync(CancellationToken.None);
                var peers = await _client.GetPeersAsync(CancellationToken.None);
                Latest = new UpLparStatus(Name, _process.Id, status, devices, peers);
            }
            catch (Exception e) when (e is IOException or NodeNotListeningException or ControlRequestException or TimeoutException or System.Net.Sockets.SocketException)
            {
                LastError = e.Message; // not listening yet, or busy: the next refresh asks again
            }
        }

        internal void Stop()
        {
            if (!_process.HasExited)
            {
                Interop.Kill(_process.Id, Interop.SIGTERM); // the node stops in order on SIGTERM
            }
        }

        public void Dispose()
        {
            if (!_process.WaitForExit(TimeSpan.FromSeconds(30)))
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit();
            }

            _drain.Wait(TimeSpan.FromSeconds(2));
            _process.Dispose();
        }
    }
}
