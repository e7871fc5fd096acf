using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;

namespace IsmFabric.Persistence;

/// <summary>
/// The production journal and snapshot store on PostgreSQL (Npgsql, truly asynchronous I/O). Tables live in one
/// schema (default "ismfabric"), created on open. A batch is one transaction and one multi-row INSERT; the
/// primary key (persistence_id, sequence_nr) makes a second writer for the same id fail with
/// <see cref="JournalConcurrencyException"/> instead of interleaving.
/// </summary>
public sealed partial class PostgresJournal : IEventJournal, ISnapshotStore, IAsyncDisposable, IDisposable
{
    private const string UniqueViolation = "23505";
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _schema;

    private PostgresJournal(NpgsqlDataSource dataSource, string schema)
    {
        _dataSource = dataSource;
        _schema = schema;
    }

    /// <summary>The schema holding the tables.</summary>
    public string Schema => _schema;

    /// <summary>Connects to PostgreSQL and creates the schema and tables if missing.</summary>
    /// <param name="connectionString">An Npgsql connection string.</param>
    /// <param name="schema">The schema: lower-case letters, digits and '_', starting with a letter or '_'.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>The journal.</returns>
    public static async Task<PostgresJournal> OpenAsync(string connectionString, string schema = "ismfabric", CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionString);
        if (!SchemaName().IsMatch(schema))
        {
            throw new ArgumentException($"Schema '{schema}' must match {SchemaName()}", nameof(schema));
        }

        var dataSource = NpgsqlDataSource.Create(connectionString);
        try
        {
            await using var cmd = dataSource.CreateCommand($"""
                CREATE SCHEMA IF NOT EXISTS {schema};
                CREATE TABLE IF NOT EXISTS {schema}.journal (
                    persistence_id text NOT NULL,
                    sequence_nr    bigint NOT NULL,
                    type_name      text NOT NULL,
                    type_version   integer NOT NULL,
                    payload        bytea NOT NULL,
                    written_at     timestamptz NOT NULL,
                    PRIMARY KEY (persistence_id, sequence_nr)
                );
                CREATE TABLE IF NOT EXISTS {schema}.journal_metadata (
                    persistence_id text PRIMARY KEY,
                    deleted_to     bigint NOT NULL
                );
                CREATE TABLE IF NOT EXISTS {schema}.snapshots (
                    persistence_id text NOT NULL,
                    sequence_nr    bigint NOT NULL,
                    type_name      text NOT NULL,
                    type_version   integer NOT NULL,
                    payload        bytea NOT NULL,
                    taken_at       timestamptz NOT NULL,
                    PRIMARY KEY (persistence_id, sequence_nr)
                );
                """);
            await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            return new PostgresJournal(dataSource, schema);
        }
        catch
        {
            await dataSource.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task WriteAsync(IReadOnlyList<JournalEvent> events, CancellationToken cancellationToken = default)
    {
        BatchValidation.Validate(events);
        if (events.Count == 0)
        {
            return;
        }

        var n = events.Count;
        var ids = new string[n];
        var seqs = new long[n];
        var types = new string[n];
        var versions = new int[n];
        var payloads = new byte[n][];
        var times = new DateTime[n];
        for (var i = 0; i < n; i++)
        {
            var e = events[i];
            ids[i] = e.PersistenceId;
            seqs[i] = e.SequenceNr;
            types[i] = e.TypeName;
            versions[i] = e.TypeVersion;
            payloads[i] = e.Payload.ToArray();
            times[i] = e.Timestamp.UtcDateTime;
        }

        // One statement is one transaction in PostgreSQL: the whole batch commits or none of it does.
        await using var cmd = _dataSource.CreateCommand($"""
            INSERT INTO {_schema}.journal (persistence_id, sequence_nr, type_name, type_version, payload, written_at)
            SELECT * FROM unnest(@ids, @seqs, @types, @versions, @payloads, @times)
            WHERE NOT EXISTS (SELECT 1 FROM {_schema}.journal_metadata m WHERE m.persistence_id = @id AND m.deleted_to >= @first)
            """);
        cmd.Parameters.AddWithValue("id", events[0].PersistenceId);
        cmd.Parameters.AddWithValue("first", events[0].SequenceNr);
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = ids });
        cmd.Parameters.Add(new NpgsqlParameter<long[]>("seqs", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { TypedValue = seqs });
        cmd.Parameters.Add(new NpgsqlParameter<string[]>("types", NpgsqlDbType.Array | NpgsqlDbType.Text) { TypedValue = types });
        cmd.Parameters.Add(new NpgsqlParameter<int[]>("versions", NpgsqlDbType.Array | NpgsqlDbType.Integer) { TypedValue = versions });
        cmd.Parameters.Add(new NpgsqlParameter<byte[][]>("payloads", NpgsqlDbType.Array | NpgsqlDbType.Bytea) { TypedValue = payloads });
        cmd.Parameters.Add(new NpgsqlParameter<DateTime[]>("times", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz) { TypedValue = times });
        try
        {
            var inserted = await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            if (inserted != n)
            {
                // Deleted sequence numbers are never handed out again: a writer claiming one is stale.
                throw new JournalConcurrencyException(events[0].PersistenceId, events[0].SequenceNr, null);
            }
        }
        catch (PostgresException ex) when (ex.SqlState == UniqueViolation)
        {
            throw new JournalConcurrencyException(events[0].PersistenceId, events[0].SequenceNr, ex);
        }
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<JournalEvent> ReadAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        await using var cmd = _dataSource.CreateCommand($"""
            SELECT sequence_nr, type_name, type_version, payload, written_at FROM {_schema}.journal
            WHERE persistence_id = @id AND sequence_nr >= @from AND sequence_nr <= @to ORDER BY sequence_nr
            """);
        cmd.Parameters.AddWithValue("id", persistenceId);
        cmd.Parameters.AddWithValue("from", fromSequenceNr);
        cmd.Parameters.AddWithValue("to", toSequenceNr);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            yield return new JournalEvent(
                persistenceId,
                reader.GetInt64(0),
                reader.GetString(1),
                reader.GetInt32(2),
                reader.GetFieldValue<byte[]>(3),
                new DateTimeOffset(reader.GetFieldValue<DateTime>(4), TimeSpan.Zero));
        }
    }

    /// <inheritdoc />
    public async Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        await using var cmd = _dataSource.CreateCommand($"""
            SELECT GREATEST(
                COALESCE((SELECT max(sequence_nr) FROM {_schema}.journal WHERE persistence_id = @id), 0),
                COALESCE((SELECT deleted_to FROM {_schema}.journal_metadata WHERE persistence_id = @id), 0))
            """);
        cmd.Parameters.AddWithValue("id", persistenceId);
        return (long)(await cmd.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false))!;
    }

    /// <inheritdoc />
    public async Task DeleteToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var tx = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (tx.ConfigureAwait(false))
            {
                await using var cmd = new NpgsqlCommand(
                    $"""
                    INSERT INTO {_schema}.journal_metadata (persistence_id, deleted_to)
                    VALUES (@id, LEAST(@to, GREATEST(
                        COALESCE((SELECT max(sequence_nr) FROM {_schema}.journal WHERE persistence_id = @id), 0),
                        COALESCE((SELECT deleted_to FROM {_schema}.journal_metadata WHERE persistence_id = @id), 0))))
                    ON CONFLICT (persistence_id) DO UPDATE SET deleted_to = GREATEST({_schema}.journal_metadata.deleted_to, excluded.deleted_to);
                    DELETE FROM {_schema}.journal WHERE persistence_id = @id AND sequence_nr <= @to;
                    """,
                    connection,
                    tx);
                cmd.Parameters.AddWithValue("id", persistenceId);
                cmd.Parameters.AddWithValue("to", toSequenceNr);
                await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                await tx.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    public async Task SaveSnapshotAsync(SnapshotEntry snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        await using var cmd = _dataSource.CreateCommand($"""
            INSERT INTO {_schema}.snapshots (persistence_id, sequence_nr, type_name, type_version, payload, taken_at)
            VALUES (@id, @seq, @type, @version, @payload, @at)
            ON CONFLICT (persistence_id, sequence_nr) DO UPDATE SET
                type_name = excluded.type_name, type_version = excluded.type_version,
                payload = excluded.payload, taken_at = excluded.taken_at
            """);
        cmd.Parameters.AddWithValue("id", snapshot.PersistenceId);
        cmd.Parameters.AddWithValue("seq", snapshot.SequenceNr);
        cmd.Parameters.AddWithValue("type", snapshot.TypeName);
        cmd.Parameters.AddWithValue("version", snapshot.TypeVersion);
        cmd.Parameters.AddWithValue("payload", snapshot.Payload.ToArray());
        cmd.Parameters.AddWithValue("at", snapshot.Timestamp.UtcDateTime);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<SnapshotEntry?> LoadSnapshotAsync(string persistenceId, long maxSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        await using var cmd = _dataSource.CreateCommand($"""
            SELECT sequence_nr, type_name, type_version, payload, taken_at FROM {_schema}.snapshots
            WHERE persistence_id = @id AND sequence_nr <= @max ORDER BY sequence_nr DESC LIMIT 1
            """);
        cmd.Parameters.AddWithValue("id", persistenceId);
        cmd.Parameters.AddWithValue("max", maxSequenceNr);
        await using var reader = await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        return await reader.ReadAsync(cancellationToken).ConfigureAwait(false)
            ? new SnapshotEntry(persistenceId, reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), reader.GetFieldValue<byte[]>(3), new DateTimeOffset(reader.GetFieldValue<DateTime>(4), TimeSpan.Zero))
            : null;
    }

    /// <inheritdoc />
    public async Task DeleteSnapshotsAsync(string persistenceId, long maxSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        await using var cmd = _dataSource.CreateCommand($"DELETE FROM {_schema}.snapshots WHERE persistence_id = @id AND sequence_nr <= @max");
        cmd.Parameters.AddWithValue("id", persistenceId);
        cmd.Parameters.AddWithValue("max", maxSequenceNr);
        await cmd.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the connection pool.</summary>
    public void Dispose() => _dataSource.Dispose();

    /// <summary>Closes the connection pool.</summary>
    /// <returns>Completes when closed.</returns>
    public ValueTask DisposeAsync() => _dataSource.DisposeAsync();

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaName();
}
