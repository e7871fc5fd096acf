using System.CommandLine;
using IsmFabric.Cli.Bench;
using Spectre.Console;

namespace IsmFabric.Cli.Commands;

/// <summary><c>ismfabric bench …</c>: benchmarks that measure their own baseline in the same run.</summary>
internal static class BenchCommand
{
    internal static Command Create()
    {
        var bench = new Command("bench", "Benchmarks; each reports its figures next to a baseline measured in the same run.");
        bench.Add(Moves());
        bench.Add(Actors());
        bench.Add(Channel());
        return bench;
    }

    private static Command Moves()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object with a metrics array." };
        var seconds = new Option<double>("--seconds") { Description = "Measuring time per payload size.", DefaultValueFactory = _ => 1.0 };
        var rounds = new Option<int>("--rounds") { Description = "Round trips for the latency figures.", DefaultValueFactory = _ => 20000 };
        var command = new Command("moves", "Move throughput (4 KiB, 64 KiB, 1 MiB chunks, each checksummed by the peer) and signal round trip between two LPAR processes, against memcpy (the peer busy as during the moves) and a pipe ping-pong.")
        {
            json, seconds, rounds,
        };
        command.SetAction((r, ct) => CliOutput.RunAsync(async () =>
        {
            if (r.GetValue(seconds) is <= 0 or > 600 || r.GetValue(rounds) is < 100 or > 10_000_000)
            {
                throw new ArgumentException("--seconds must be in (0, 600] and --rounds in [100, 10000000]");
            }

            var report = await MovesBenchmark.RunAsync(new MovesBenchmark.Options(r.GetValue(seconds), r.GetValue(rounds)), CliOutput.Progress, ct);
            Print(report, r.GetValue(json));
            return 0;
        }));
        return command;
    }

    private static Command Channel()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object with a metrics array." };
        var seconds = new Option<double>("--seconds") { Description = "Measuring time of each throughput figure (the channel and its ring baseline each).", DefaultValueFactory = _ => 2.0 };
        var rounds = new Option<int>("--rounds") { Description = "Round trips for the latency figures.", DefaultValueFactory = _ => 5000 };
        var failovers = new Option<int>("--failovers") { Description = "Function failures for the failover figures.", DefaultValueFactory = _ => 10 };
        var channels = new Option<int>("--channels") { Description = "Channels opened and closed for channels_per_second.", DefaultValueFactory = _ => 200 };
        var command = new Command("channel", "Channel throughput (64 KiB, 4 KiB), round trip (64 B), failover and channel opens between two node processes, against a shared-memory ring, a pipe ping-pong and a fresh channel's negotiation.")
        {
            json, seconds, rounds, failovers, channels,
        };
        command.SetAction((r, ct) => CliOutput.RunAsync(async () =>
        {
            if (r.GetValue(seconds) is <= 0 or > 600 || r.GetValue(rounds) is < 100 or > 10_000_000)
            {
                throw new ArgumentException("--seconds must be in (0, 600] and --rounds in [100, 10000000]");
            }

            if (r.GetValue(failovers) is < 10 or > 1000 || r.GetValue(channels) is < 1 or > 100_000)
            {
                throw new ArgumentException("--failovers must be in [10, 1000] and --channels in [1, 100000]");
            }

            var options = new ChannelBenchmark.Options(r.GetValue(seconds), r.GetValue(rounds), r.GetValue(failovers), r.GetValue(channels));
            var report = await ChannelBenchmark.RunAsync(options, CliOutput.Progress, ct);
            Print(report, r.GetValue(json));
            return 0;
        }));
        return command;
    }

    private static Command Actors()
    {
        var json = new Option<bool>("--json") { Description = "Print one JSON object with a metrics array." };
        var seconds = new Option<double>("--seconds") { Description = "Measuring time of each throughput figure.", DefaultValueFactory = _ => 3.0 };
        var postgres = new Option<string?>("--postgres") { Description = "PostgreSQL connection string (default: $ISMFABRIC_BENCH_POSTGRES); without one the PostgreSQL figure is left out." };
        var command = new Command("actors", "Tell throughput, ask round trip and persisted events per second, against bare channels and plain batched inserts.")
        {
            json, seconds, postgres,
        };
        command.SetAction((r, ct) => CliOutput.RunAsync(async () =>
        {
            var options = new ActorsBenchmarkOptions
            {
                Duration = TimeSpan.FromSeconds(r.GetValue(seconds)),
                PostgresConnectionString = r.GetValue(postgres) ?? Environment.GetEnvironmentVariable("ISMFABRIC_BENCH_POSTGRES"),
            };
            options.Validate();
            var report = await ActorsBenchmark.RunAsync(options, new Progress<string>(CliOutput.Progress), ct);
            Print(report, r.GetValue(json));
            return 0;
        }));
        return command;
    }

    internal static void Print(BenchmarkReport report, bool json)
    {
        if (json)
        {
            Console.Out.WriteLine(report.ToJson());
            return;
        }

        var table = new Table().Title($"bench {report.Benchmark}").AddColumns("metric", "value", "unit", "baseline", "baseline value", "ratio");
        foreach (var m in report.Metrics)
        {
            table.AddRow(m.Name, m.Value.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture), m.Unit, m.Baseline,
                m.BaselineValue.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture), m.Ratio.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture));
        }

        AnsiConsole.Write(table);
    }
}
