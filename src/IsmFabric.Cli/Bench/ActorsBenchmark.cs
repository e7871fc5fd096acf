using System.Diagnostics;
using System.Threading.Channels;
using IsmFabric.Actors;
using IsmFabric.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

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

        var directory = options.SqliteDirectory ?? Directory.CreateTempSubdirectory("ismfabric-bench-").FullName;
        try
        {
            progress?.Report($"sqlite persist: {options.PersistEvents} events in PersistAll batches of {options.PersistBatchSize} ({directory})");
            var sqliteBaseline = await SqliteBaselineAsync(Path.Combine(directory, "baseline.db"), options, ct);
            var journal = await SqliteJournal.OpenAsync(Path.Combine(directory, "journal.db"), cancellationToken: ct);
            double sqliteRate;
            await using (journal)
            {
                sqliteRate = await PersistAsync(journal, journal, options, ct);
            }

            metrics.Add(new BenchmarkMetric("persist_events_per_s_sqlite", "events/s", sqliteRate, $"Microsoft.Data.Sqlite batched INSERT, {options.PersistBatchSize} rows per transaction, WAL, synchronous=FULL", sqliteBaseline));
            progress?.Report($"persist_events_per_s_sqlite {sqliteRate:N0} (plain inserts {sqliteBaseline:N0})");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (options.SqliteDirectory is null)
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        if (options.PostgresConnectionString is { } pg)
        {
            var schema = "bench_" + Guid.NewGuid().ToString("N");
            progress?.Report($"postgres persist: {options.PersistEvents} events (schema {schema})");
            try
            {
                var baseline = await PostgresBaselineAsync(pg, schema, options, ct);
                var journal = await PostgresJournal.OpenAsync(pg, schema, ct);
                double rate;
                await using (journal)
                {
                    rate = await PersistAsync(journal, journal, options, ct);
                }

                metrics.Add(new BenchmarkMetric("persist_events_per_s_postgres", "events/s", rate, $"Npgsql batched INSERT, {options.PersistBatchSize} rows per transaction", baseline));
                progress?.Report($"persist_events_per_s_postgres {rate:N0} (plain inserts {baseline:N0})");
            }
            finally
            {
                await using var dataSource = NpgsqlDataSource.Create(pg);
                await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE");
                await drop.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }
        else
        {
            progress?.Report("persist_events_per_s_postgres omitted: no PostgreSQL connection string given");
        }

        return new BenchmarkReport("actors", metrics);
    }

    private static async Task<double> ActorPingPongAsync(ActorsBenchmarkOptions options, CancellationToken ct)
    {
        var system = ActorSystem.Create("bench");
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
            await system.Terminate(TimeSpan.FromSeconds(10));
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
        var system = ActorSystem.Create("bench-ask");
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
            await system.Terminate(TimeSpan.FromSeconds(10));
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

    private static async Task<double> PersistAsync(IEventJournal journal, ISnapshotStore snapshots, ActorsBenchmarkOptions options, CancellationToken ct)
    {
        var system = ActorSystem.Create("bench-persist");
        try
        {
            PersistenceExtension.Register(system, journal, snapshots, new EventTypeRegistry().Register<BenchEvent>("bench-event", 1));
            var writer = system.ActorOf(Props.Create(() => new BenchWriter("bench-writer", options.PersistBatchSize)), "writer");
            await writer.Ask<long>(new Write(options.PersistBatchSize), TimeSpan.FromSeconds(60), ct);
            var sw = Stopwatch.StartNew();
            var written = await writer.Ask<long>(new Write(options.PersistEvents), TimeSpan.FromMinutes(10), ct);
            return written / sw.Elapsed.TotalSeconds;
        }
        finally
        {
            await system.Terminate(TimeSpan.FromSeconds(10));
        }
    }

    private static async Task<double> SqliteBaselineAsync(string path, ActorsBenchmarkOptions options, CancellationToken ct)
    {
        var payload = BenchPayload();
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path }.ToString());
        await connection.OpenAsync(ct);
        await using (var setup = connection.CreateCommand())
        {
            setup.CommandText = """
                PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
                CREATE TABLE events (persistence_id TEXT NOT NULL, sequence_nr INTEGER NOT NULL, type_name TEXT NOT NULL,
                    type_version INTEGER NOT NULL, payload BLOB NOT NULL, written_at_ms INTEGER NOT NULL,
                    PRIMARY KEY (persistence_id, sequence_nr)) WITHOUT ROWID;
                """;
            await setup.ExecuteNonQueryAsync(ct);
        }

        return await Task.Run(
            () =>
            {
                var sw = Stopwatch.StartNew();
                for (var seq = 1L; seq <= options.PersistEvents;)
                {
                    using var tx = connection.BeginTransaction();
                    using var insert = connection.CreateCommand();
                    insert.Transaction = tx;
                    insert.CommandText = "INSERT INTO events VALUES ($id, $seq, 'bench-event', 1, $payload, $at)";
                    var id = insert.Parameters.Add("$id", SqliteType.Text);
                    var s = insert.Parameters.Add("$seq", SqliteType.Integer);
                    var p = insert.Parameters.Add("$payload", SqliteType.Blob);
                    var at = insert.Parameters.Add("$at", SqliteType.Integer);
                    insert.Prepare();
                    for (var i = 0; i < options.PersistBatchSize && seq <= options.PersistEvents; i++, seq++)
                    {
                        id.Value = "baseline";
                        s.Value = seq;
                        p.Value = payload;
                        at.Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                        insert.ExecuteNonQuery();
                    }

                    tx.Commit();
                }

                return options.PersistEvents / sw.Elapsed.TotalSeconds;
            },
            ct);
    }

    private static async Task<double> PostgresBaselineAsync(string connectionString, string schema, ActorsBenchmarkOptions options, CancellationToken ct)
    {
        var payload = BenchPayload();
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var setup = dataSource.CreateCommand($"""
            CREATE SCHEMA {schema};
            CREATE TABLE {schema}.baseline (persistence_id text NOT NULL, sequence_nr bigint NOT NULL, type_name text NOT NULL,
                type_version integer NOT NULL, payload bytea NOT NULL, written_at timestamptz NOT NULL,
                PRIMARY KEY (persistence_id, sequence_nr));
            """))
        {
            await setup.ExecuteNonQueryAsync(ct);
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        var sw = Stopwatch.StartNew();
        for (var seq = 1L; seq <= options.PersistEvents;)
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            await using var batch = new NpgsqlBatch(connection, tx);
            for (var i = 0; i < options.PersistBatchSize && seq <= options.PersistEvents; i++, seq++)
            {
                var insert = new NpgsqlBatchCommand($"INSERT INTO {schema}.baseline VALUES ($1, $2, 'bench-event', 1, $3, $4)");
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "baseline" });
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
                insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = payload });
                insert.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = DateTime.UtcNow });
                batch.BatchCommands.Add(insert);
            }

            await batch.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }

        return options.PersistEvents / sw.Elapsed.TotalSeconds;
    }

    private static byte[] BenchPayload() =>
        new EventTypeRegistry().Register<BenchEvent>("bench-event", 1).Serialize(new BenchEvent(0, new string('x', 64))).Payload;

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

    private sealed record Write(int Events);

    private sealed record BenchEvent(long N, string Data);

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

    /// <summary>Persists the requested number of events in PersistAll batches, then answers with its sequence number.</summary>
    private sealed class BenchWriter : ReceivePersistentActor
    {
        private static readonly string Data = new('x', 64);
        private readonly int _batchSize;
        private IActorRef? _replyTo;
        private long _target;

        public BenchWriter(string persistenceId, int batchSize)
        {
            PersistenceId = persistenceId;
            _batchSize = batchSize;
            Command<Write>(w =>
            {
                _replyTo = Sender;
                _target = LastSequenceNr + w.Events;
                WriteNext();
            });
        }

        public override string PersistenceId { get; }

        private void WriteNext()
        {
            var count = (int)Math.Min(_batchSize, _target - LastSequenceNr);
            var first = LastSequenceNr + 1;
            var last = LastSequenceNr + count;
            PersistAll(Enumerable.Range(0, count).Select(i => new BenchEvent(first + i, Data)), e =>
            {
                if (e.N != last)
                {
                    return;
                }

                if (LastSequenceNr < _target)
                {
                    WriteNext();
                }
                else
                {
                    _replyTo!.Tell(LastSequenceNr, Self);
                }
            });
        }
    }
}
