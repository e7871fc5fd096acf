using System.Diagnostics;
using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using IsmFabric.Fabric.Hosting;
using IsmFabric.Fabric.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace IsmFabric.Cli.Bench;

/// <summary>
/// The persist half of <c>bench actors</c>: a persistent actor writing the node's own ledger events through the
/// node's journal setup (Akka.Persistence.Sql, our serializer) against plain batched inserts of the same payloads
/// through the same driver into a table of the same shape, both warmed up alike.
/// </summary>
internal static class PersistBenchmark
{
    internal static async Task RunAsync(ActorsBenchmarkOptions options, List<BenchmarkMetric> metrics, IProgress<string>? progress, CancellationToken ct)
    {
        var directory = options.SqliteDirectory ?? Directory.CreateTempSubdirectory("ismfabric-bench-").FullName;
        try
        {
            progress?.Report($"sqlite persist: {options.PersistEvents} events in PersistAll batches of {options.PersistBatchSize} ({directory})");
            var baseline = await Task.Run(() => SqliteBaseline(Path.Combine(directory, "baseline.db"), options, ct), ct);
            var rate = await PersistAsync(FabricJournalOptions.Sqlite(Path.Combine(directory, "journal.db")), options, ct);
            metrics.Add(new BenchmarkMetric("persist_events_per_s_sqlite", "events/s", rate, $"Microsoft.Data.Sqlite batched INSERT, {options.PersistBatchSize} rows per transaction, WAL, synchronous=FULL", baseline));
            progress?.Report($"persist_events_per_s_sqlite {rate:N0} (plain inserts {baseline:N0})");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (options.SqliteDirectory is null)
            {
                Directory.Delete(directory, recursive: true);
            }
        }

        if (options.PostgresConnectionString is not { } pg)
        {
            progress?.Report("persist_events_per_s_postgres omitted: no PostgreSQL connection string given");
            return;
        }

        var schema = "bench_" + Guid.NewGuid().ToString("N");
        progress?.Report($"postgres persist: {options.PersistEvents} events (schema {schema})");
        try
        {
            var baseline = await PostgresBaselineAsync(pg, schema + "_plain", options, ct);
            var rate = await PersistAsync(FabricJournalOptions.Postgres(pg, schema), options, ct);
            metrics.Add(new BenchmarkMetric("persist_events_per_s_postgres", "events/s", rate, $"Npgsql batched INSERT, {options.PersistBatchSize} rows per transaction", baseline));
            progress?.Report($"persist_events_per_s_postgres {rate:N0} (plain inserts {baseline:N0})");
        }
        finally
        {
            await using var dataSource = NpgsqlDataSource.Create(pg);
            await using var drop = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE; DROP SCHEMA IF EXISTS {schema}_plain CASCADE");
            await drop.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    private static async Task<double> PersistAsync(FabricJournalOptions journal, ActorsBenchmarkOptions options, CancellationToken ct)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddAkka("bench-persist", akka =>
        {
            akka.ConfigureLoggers(l => l.ClearLoggers());
            akka.AddHocon("akka.stdout-loglevel = OFF\nakka.stdout-logger-class = \"IsmFabric.Fabric.Hosting.SilentStdoutLogger, IsmFabric.Fabric\"", HoconAddMode.Prepend);
            akka.WithCustomSerializer("ismfabric", [typeof(IFabricEvent)], system => new FabricEventSerializer(system));
            akka.WithFabricJournal(journal);
        });
        using var host = builder.Build();
        await host.StartAsync(ct);
        try
        {
            var system = host.Services.GetRequiredService<ActorSystem>();
            var writer = system.ActorOf(Props.Create(() => new BenchWriter("bench-writer", options.PersistBatchSize)), "writer");

            // Warm-up: recovery, table creation, the first batches (as the baseline's first transaction warms it).
            await writer.Ask<long>(new Write(options.PersistBatchSize * 5), TimeSpan.FromSeconds(60), ct);
            var sw = Stopwatch.StartNew();
            var before = await writer.Ask<long>(new Write(0), TimeSpan.FromSeconds(60), ct);
            var after = await writer.Ask<long>(new Write(options.PersistEvents), TimeSpan.FromMinutes(10), ct);
            return (after - before) / sw.Elapsed.TotalSeconds;
        }
        finally
        {
            await host.StopAsync(CancellationToken.None);
        }
    }

    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>The bytes our serializer writes for the same event.</summary>
    private static byte[] Payload(long n) =>
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new ChannelOpened($"{n:x16}/1", "lpar2", DateTimeOffset.UtcNow), Json);

    private static double SqliteBaseline(string path, ActorsBenchmarkOptions options, CancellationToken ct)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path }.ToString());
        connection.Open();
        using (var setup = connection.CreateCommand())
        {
            setup.CommandText = """
                PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
                CREATE TABLE event_journal (ordering INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT, timestamp INTEGER NOT NULL,
                    is_deleted BIT NOT NULL, persistence_id NVARCHAR(255) NOT NULL, sequence_nr INTEGER NOT NULL, payload VARBINARY NOT NULL,
                    manifest NVARCHAR(500), serializer_id INTEGER);
                CREATE UNIQUE INDEX event_journal_uq ON event_journal (persistence_id, sequence_nr);
                """;
            setup.ExecuteNonQuery();
        }

        void Insert(long from, long count)
        {
            using var tx = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.Transaction = tx;
            insert.CommandText = "INSERT INTO event_journal (timestamp, is_deleted, persistence_id, sequence_nr, payload, manifest, serializer_id) VALUES ($at, 0, $id, $seq, $payload, $m, 7401)";
            var id = insert.Parameters.Add("$id", SqliteType.Text);
            var s = insert.Parameters.Add("$seq", SqliteType.Integer);
            var at = insert.Parameters.Add("$at", SqliteType.Integer);
            var m = insert.Parameters.Add("$m", SqliteType.Text);
            var p = insert.Parameters.Add("$payload", SqliteType.Blob);
            insert.Prepare();
            for (var seq = from; seq < from + count; seq++)
            {
                id.Value = "baseline";
                s.Value = seq;
                at.Value = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                m.Value = ChannelOpened.Manifest;
                p.Value = Payload(seq);
                insert.ExecuteNonQuery();
            }

            tx.Commit();
        }

        var next = 1L;
        for (var i = 0; i < 5; i++, next += options.PersistBatchSize)
        {
            Insert(next, options.PersistBatchSize);
        }

        var sw = Stopwatch.StartNew();
        var end = next + options.PersistEvents;
        for (; next < end; next += options.PersistBatchSize)
        {
            ct.ThrowIfCancellationRequested();
            Insert(next, Math.Min(options.PersistBatchSize, end - next));
        }

        return options.PersistEvents / sw.Elapsed.TotalSeconds;
    }

    private static async Task<double> PostgresBaselineAsync(string connectionString, string schema, ActorsBenchmarkOptions options, CancellationToken ct)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        await using (var setup = dataSource.CreateCommand($"""
            CREATE SCHEMA {schema};
            CREATE TABLE {schema}.event_journal (ordering bigserial PRIMARY KEY, timestamp bigint NOT NULL, is_deleted boolean NOT NULL,
                persistence_id varchar(255) NOT NULL, sequence_nr bigint NOT NULL, payload bytea NOT NULL, manifest varchar(500), serializer_id integer,
                UNIQUE (persistence_id, sequence_nr));
            """))
        {
            await setup.ExecuteNonQueryAsync(ct);
        }

        await using var connection = await dataSource.OpenConnectionAsync(ct);
        async Task InsertAsync(long from, long count)
        {
            await using var tx = await connection.BeginTransactionAsync(ct);
            await using var batch = new NpgsqlBatch(connection, tx);
            for (var seq = from; seq < from + count; seq++)
            {
                var insert = new NpgsqlBatchCommand($"INSERT INTO {schema}.event_journal (persistence_id, sequence_nr, timestamp, manifest, serializer_id, payload, is_deleted) VALUES ($1, $2, $3, $4, 7401, $5, false)");
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = "baseline" });
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = seq });
                insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() });
                insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = ChannelOpened.Manifest });
                insert.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = Payload(seq) });
                batch.BatchCommands.Add(insert);
            }

            await batch.ExecuteNonQueryAsync(ct);
            await tx.CommitAsync(ct);
        }

        var next = 1L;
        for (var i = 0; i < 5; i++, next += options.PersistBatchSize)
        {
            await InsertAsync(next, options.PersistBatchSize);
        }

        var sw = Stopwatch.StartNew();
        var end = next + options.PersistEvents;
        for (; next < end; next += options.PersistBatchSize)
        {
            await InsertAsync(next, Math.Min(options.PersistBatchSize, end - next));
        }

        return options.PersistEvents / sw.Elapsed.TotalSeconds;
    }

    private sealed record Write(int Events);

    /// <summary>Persists the requested number of ledger events in PersistAll batches, then answers with its sequence number.</summary>
    private sealed class BenchWriter : ReceivePersistentActor
    {
        private readonly int _batchSize;
        private IActorRef? _replyTo;
        private long _target;

        public BenchWriter(string persistenceId, int batchSize)
        {
            PersistenceId = persistenceId;
            _batchSize = batchSize;
            Recover<ChannelOpened>(_ => { });
            Command<Write>(w =>
            {
                _replyTo = Sender;
                _target = LastSequenceNr + w.Events;
                if (w.Events == 0)
                {
                    Sender.Tell(LastSequenceNr);
                    return;
                }

                WriteNext();
            });
        }

        public override string PersistenceId { get; }

        private void WriteNext()
        {
            var count = (int)Math.Min(_batchSize, _target - LastSequenceNr);
            var first = LastSequenceNr + 1;
            var last = LastSequenceNr + count;
            var n = first;
            PersistAll(Enumerable.Range(0, count).Select(i => new ChannelOpened($"{first + i:x16}/1", "lpar2", DateTimeOffset.UtcNow)), _ =>
            {
                if (n++ != last)
                {
                    return;
                }

                if (LastSequenceNr < _target)
                {
                    WriteNext();
                }
                else
                {
                    _replyTo!.Tell(LastSequenceNr);
                }
            });
        }
    }
}
