using System.Diagnostics;
using System.Threading.Channels;
using Akka.Actor;

namespace IsmFabric.Cli.Bench;

/// <summary>
/// <c>ismfabric bench actors</c>: the actor runtime and persistence against the bare mechanisms beneath them,
/// measured in the same run — tell throughput against a ping-pong over bare channels, Ask round trips against a
/// request/reply over two bare channels, and persistent-actor writes against plain batched inserts through the
/// same database driver.
/// </summary>
public static class ActorsBenchmark
{
    private static readonly object Ping = new();
    private static readonly object Pong = new();

    /// <summary>Akka's defaults, quiet on stdout (the report is the output).</summary>
    private const string BenchConfig = "akka.stdout-loglevel = OFF\nakka.loglevel = OFF\nakka.log-dead-letters = off";

    /// <summary>Runs every measurement and returns the report (the PostgreSQL metric only with a connection string).</summary>
    /// <param name="options">What to measure and where.</param>
    /// <param name="progress">Receives one line per step; may be null.</param>
    /// <param name="ct">Stops the run between and inside measurements.</param>
    /// <returns>The report named "actors".</returns>
    public static async Task<BenchmarkReport> RunAsync(ActorsBenchmarkOptions options, IProgress<string>? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var metrics = new List<BenchmarkMetric>();

        progress?.Report($"tell throughput: {options.Pairs} pairs, window {options.Window}, {options.Duration.TotalSeconds:0.#} s each");
        var channelRate = await ChannelPingPongAsync(options, ct);
        var actorRate = await ActorPingPongAsync(options, ct);
        metrics.Add(new BenchmarkMetric("tell_throughput", "msg/s", actorRate, $"bare Channel<T> ping-pong, {options.Pairs} pairs, window {options.Window}", channelRate));
        progress?.Report($"tell_throughput {actorRate:N0} msg/s (channels {channelRate:N0})");

        progress?.Report($"ask round trips: {options.AskRoundTrips} sequential");
        var channelRtt = await ChannelRoundTripsAsync(options.AskRoundTrips, ct);
        var askRtt = await AskRoundTripsAsync(options.AskRoundTrips, ct);
        metrics.Add(new BenchmarkMetric("ask_rtt_p50_us", "us", Percentile(askRtt, 0.50), "request/reply over two bare channels, p50", Percentile(channelRtt, 0.50)));
        metrics.Add(new BenchmarkMetric("ask_rtt_p99_us", "us", Percentile(askRtt, 0.99), "request/reply over two bare channels, p99", Percentile(channelRtt, 0.99)));
        progress?.Report($"ask_rtt p50 {Percentile(askRtt, 0.50):0.0} us, p99 {Percentile(askRtt, 0.99):0.0} us");

        await PersistBenchmark.RunAsync(options, metrics, progress, ct);
        await NodeStartBenchmark.RunAsync(metrics, progress, ct);
        return new BenchmarkReport("actors", metrics);
    }

    private static async Task<double> ActorPingPongAsync(ActorsBenchmarkOptions options, CancellationToken ct)
    {
        var system = ActorSystem.Create("bench", BenchConfig);
        try
        {
            var counters = new long[options.Pairs * 16];
            var running = new StrongBox(true);
            var pingers = new List<IActorRef>();
            for (var i = 0; i < options.Pairs; i++)
            {
                var ponger = system.ActorOf(Props.Create(() => new Ponger()), "ponger-" + i);
                var slot = i * 16;
                pingers.Add(system.ActorOf(Props.Create(() => new Pinger(ponger, counters, slot, running)), "pinger-" + i));
            }

            // Warm up, then measure messages handled (pings + pongs) over the duration.
            foreach (var p in pingers)
            {
                p.Tell(new Start(options.Window), null);
            }

            await Task.Delay(TimeSpan.FromMilliseconds(300), ct);
            var before = Sum(counters);
            var sw = Stopwatch.StartNew();
            await Task.Delay(options.Duration, ct);
            var after = Sum(counters);
            var elapsed = sw.Elapsed;
            running.Value = false;
            return 2.0 * (after - before) / elapsed.TotalSeconds;
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }
    }

    private static async Task<double> ChannelPingPongAsync(ActorsBenchmarkOptions options, CancellationToken ct)
    {
        var counters = new long[options.Pairs * 16];
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var loops = new List<Task>();
        for (var i = 0; i < options.Pairs; i++)
        {
            var pings = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var pongs = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
            var slot = i * 16;
            loops.Add(Task.Run(async () =>
            {
                for (var w = 0; w < options.Window; w++)
                {
                    pings.Writer.TryWrite(Ping);
                }

                while (!stop.IsCancellationRequested)
                {
                    await pongs.Reader.ReadAsync(stop.Token);
                    Volatile.Write(ref counters[slot], counters[slot] + 1);
                    pings.Writer.TryWrite(Ping);
                }
            }, CancellationToken.None));
            loops.Add(Task.Run(async () =>
            {
                while (!stop.IsCancellationRequested)
                {
                    await pings.Reader.ReadAsync(stop.Token);
                    pongs.Writer.TryWrite(Pong);
                }
            }, CancellationToken.None));
        }

        await Task.Delay(TimeSpan.FromMilliseconds(300), ct);
        var before = Sum(counters);
        var sw = Stopwatch.StartNew();
        await Task.Delay(options.Duration, ct);
        var after = Sum(counters);
        var elapsed = sw.Elapsed;
        await stop.CancelAsync();
        try
        {
            await Task.WhenAll(loops);
        }
        catch (OperationCanceledException)
        {
            // The loops end by cancellation.
        }

        return 2.0 * (after - before) / elapsed.TotalSeconds;
    }

    private static async Task<double[]> AskRoundTripsAsync(int count, CancellationToken ct)
    {
        var system = ActorSystem.Create("bench-ask", BenchConfig);
        try
        {
            var echo = system.ActorOf(Props.Create(() => new Ponger()), "echo");
            var samples = new double[count];
            for (var i = -count; i < count; i++)
            {
                ct.ThrowIfCancellationRequested();
                var start = Stopwatch.GetTimestamp();
                await echo.Ask(Ping, TimeSpan.FromSeconds(10), ct);
                if (i >= 0)
                {
                    samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
                }
            }

            return samples;
        }
        finally
        {
            await system.Terminate().WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
        }
    }

    private static async Task<double[]> ChannelRoundTripsAsync(int count, CancellationToken ct)
    {
        var requests = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var replies = Channel.CreateUnbounded<object>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var responder = Task.Run(async () =>
        {
            await foreach (var request in requests.Reader.ReadAllAsync(stop.Token))
            {
                replies.Writer.TryWrite(request);
            }
        }, CancellationToken.None);
        var samples = new double[count];
        for (var i = -count; i < count; i++)
        {
            var start = Stopwatch.GetTimestamp();
            requests.Writer.TryWrite(Ping);
            await replies.Reader.ReadAsync(ct);
            if (i >= 0)
            {
                samples[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
            }
        }

        requests.Writer.Complete();
        await responder;
        return samples;
    }

    private static long Sum(long[] counters)
    {
        long sum = 0;
        for (var i = 0; i < counters.Length; i += 16)
        {
            sum += Volatile.Read(ref counters[i]);
        }

        return sum;
    }

    private static double Percentile(double[] samples, double p)
    {
        var sorted = samples.Order().ToArray();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
    }

    private sealed record Start(int Window);

    private sealed class StrongBox(bool value)
    {
        private volatile bool _value = value;

        public bool Value
        {
            get => _value;
            set => _value = value;
        }
    }

    /// <summary>Keeps a window of pings in flight and counts pongs.</summary>
    private sealed class Pinger : ActorBase
    {
        private readonly IActorRef _ponger;
        private readonly long[] _counters;
        private readonly int _slot;
        private readonly StrongBox _running;

        public Pinger(IActorRef ponger, long[] counters, int slot, StrongBox running)
        {
            _ponger = ponger;
            _counters = counters;
            _slot = slot;
            _running = running;
        }

        protected override bool Receive(object message)
        {
            if (ReferenceEquals(message, Pong))
            {
                Volatile.Write(ref _counters[_slot], _counters[_slot] + 1);
                if (_running.Value)
                {
                    _ponger.Tell(Ping, Self);
                }

                return true;
            }

            if (message is Start start)
            {
                for (var i = 0; i < start.Window; i++)
                {
                    _ponger.Tell(Ping, Self);
                }

                return true;
            }

            return false;
        }
    }

    /// <summary>Answers every message with a pong.</summary>
    private sealed class Ponger : ActorBase
    {
        protected override bool Receive(object message)
        {
            Sender.Tell(Pong, Self);
            return true;
        }
    }
}
