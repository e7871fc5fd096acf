using System.Diagnostics;
using IsmFabric.Emulation;
using IsmFabric.Host.Control;

namespace IsmFabric.Cli.Bench;

/// <summary>
/// <c>node_start_ms</c> of <c>bench actors</c>: from starting an <c>ismfabric node run</c> process on a fresh emulated
/// LPAR (SQLite journal) to its control socket reporting every device up, against starting a bare .NET process of
/// the same executable that prints one line and exits (<c>ismfabric agent hello</c>), median of a few runs each.
/// </summary>
internal static class NodeStartBenchmark
{
    private const int Runs = 3;

    internal static async Task RunAsync(List<BenchmarkMetric> metrics, IProgress<string>? progress, CancellationToken ct)
    {
        var directory = Directory.CreateTempSubdirectory("ismfabric-bench-start-").FullName;
        try
        {
            var cec = Path.Combine(directory, "cec");
            EmulatedCec.Create(cec, CecDefinition.Build("bench", 2, 2, [0x0100, 0x0200], ["NETA", "NETB"], 64L << 20, seed: 5)).Dispose();
            progress?.Report($"node start: {Runs} node processes on lpar1 of {cec}, against {Runs} bare process starts");
            var hello = new double[Runs];
            var node = new double[Runs];
            for (var i = 0; i < Runs; i++)
            {
                hello[i] = await HelloAsync(ct);
                node[i] = await NodeAsync(cec, Path.Combine(directory, $"data{i}"), ct);
            }

            var value = Baselines.Percentile(node, 0.5);
            metrics.Add(new BenchmarkMetric("node_start_ms", "ms", value, "start of a bare .NET process of the same executable that prints and exits (median)", Baselines.Percentile(hello, 0.5)));
            progress?.Report($"node_start_ms {value:0} (bare process {Baselines.Percentile(hello, 0.5):0})");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<double> HelloAsync(CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        using var process = Process.Start(SelfProcess.StartInfo("agent", "hello")) ?? throw new IOException("could not start a process");
        process.StandardInput.Close();
        await process.StandardOutput.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        return sw.Elapsed.TotalMilliseconds;
    }

    private static async Task<double> NodeAsync(string cec, string data, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var psi = SelfProcess.StartInfo("node", "run", "--cec", cec, "--lpar", "lpar1", "--data-dir", data);
        psi.Environment["ISMFABRIC_Node__Logging__Console"] = "false";
        using var process = Process.Start(psi) ?? throw new IOException("could not start a node process");
        process.StandardInput.Close();
        _ = process.StandardOutput.ReadToEndAsync(ct);
        try
        {
            var client = new ControlClient(Path.Combine(data, "node.sock"), TimeSpan.FromSeconds(2));
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
            while (true)
            {
                ct.ThrowIfCancellationRequested();
                if (process.HasExited)
                {
                    throw new IOException($"the node process exited ({process.ExitCode}) before its devices came up");
                }

                try
                {
                    var status = await client.GetStatusAsync(ct);
                    if (status.Devices > 0 && status.DevicesUp == status.Devices)
                    {
                        return sw.Elapsed.TotalMilliseconds;
                    }
                }
                catch (Exception e) when (e is IOException or NodeNotListeningException or System.Net.Sockets.SocketException or ControlRequestException)
                {
                    // not listening yet
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("the node's devices did not come up within 60 s");
                }

                await Task.Delay(2, ct);
            }
        }
        finally
        {
            if (!process.HasExited)
            {
                Interop.Kill(process.Id, 15);
                if (!process.WaitForExit(TimeSpan.FromSeconds(20)))
                {
                    process.Kill();
                }
            }
        }
    }
}
