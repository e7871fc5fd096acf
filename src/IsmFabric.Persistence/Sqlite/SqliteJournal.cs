using System.Runtime.CompilerServices;
using Microsoft.Data.Sqlite;

namespace IsmFabric.Persistence;

/// <summary>
/// The embedded journal and snapshot store: one SQLite file in WAL mode. Writes go through one connection, one
/// transaction per batch, on the thread pool (Microsoft.Data.Sqlite's async methods complete synchronously, so
/// they are never awaited on the caller's thread); reads use their own pooled connections and run beside writes.
/// The primary key (persistence_id, sequence_nr) rejects a second writer, across processes too.
/// </summary>
public sealed class SqliteJournal : IEventJournal, ISnapshotStore, IAsyncDisposable, IDisposable
{
    private const int SqliteConstraint = 19;

    private const string Schema = """
        CREATE TABLE IF NOT EXISTS journal (
            persistence_id TEXT NOT NULL,
            sequence_nr    INTEGER NOT NULL,
            type_name      TEXT NOT NULL,
            type_version   INTEGER NOT NULL,
            payload        BLOB NOT NULL,
            written_at_ms  INTEGER NOT NULL,
            PRIMARY KEY (persistence_id, sequence_nr)
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS journal_metadata (
            persistence_id TEXT NOT NULL PRIMARY KEY,
            deleted_to     INTEGER NOT NULL
        ) WITHOUT ROWID;
        CREATE TABLE IF NOT EXISTS snapshots (
            persistence_id TEXT NOT NULL,
            sequence_nr    INTEGER NOT NULL,
            type_name      TEXT NOT NULL,
            type_version   INTEGER NOT NULL,
            payload        BLOB NOT NULL,
            taken_at_ms    INTEGER NOT NULL,
            PRIMARY KEY (persistence_id, sequence_nr)
        ) WITHOUT ROWID;
        """;

    private readonly string _connectionString;
    private readonly SqliteJournalOptions _options;
    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly SqliteConnection _writer;

    private SqliteJournal(string connectionString, SqliteJournalOptions options, SqliteConnection writer)
    {
        _connectionString = connectionString;
        _options = options;
        _writer = writer;
    }

    /// <summary>The database file.</summary>
    public string Path => new SqliteConnectionStringBuilder(_connectionString).DataSource;

    /// <summary>Opens (creating if needed) the journal in the SQLite file <paramref name="path"/>.</summary>
    /// <param name="path">The database file.</param>
    /// <param name="options">Settings; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <returns>The journal.</returns>
    public static Task<SqliteJournal> OpenAsync(string path, SqliteJournalOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        options ??= new SqliteJournalOptions();
        options.Validate();
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();
        return Task.Run(
            () =>
            {
                var writer = new SqliteConnection(connectionString);
                try
                {
                    writer.Open();
                    Execute(writer, $"PRAGMA busy_timeout = {(long)options.BusyTimeout.TotalMilliseconds}; PRAGMA journal_mode = WAL; PRAGMA synchronous = {options.Synchronous};");
                    Execute(writer, Schema);
                    return new SqliteJournal(connectionString, options, writer);
                }
                catch
                {
                    writer.Dispose();
                    throw;
                }
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task WriteAsync(IReadOnlyList<JournalEvent> events, CancellationToken cancellationToken = default)
    {
        BatchValidation.Validate(events);
        if (events.Count == 0)
        {
            return Task.CompletedTask;
        }

        return Task.Run(() => WriteBatch(events, cancellationToken), cancellationToken);
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<JournalEvent> ReadAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);

        // Read in pages on the thread pool, so neither a long replay nor SQLite's synchronous I/O holds the caller.
        const int page = 1000;
        var next = fromSequenceNr;
        while (next <= toSequenceNr)
        {
            var from = next;
            var rows = await Task.Run(
                () =>
                {
                    using var connection = OpenReader();
                    using var cmd = connection.CreateCommand();
                    cmd.CommandText = """
                        SELECT sequence_nr, type_name, type_version, payload, written_at_ms FROM journal
                        WHERE persistence_id = $id AND sequence_nr >= $from AND sequence_nr <= $to
                        ORDER BY sequence_nr LIMIT $page
                        """;
                    cmd.Parameters.AddWithValue("$id", persistenceId);
                    cmd.Parameters.AddWithValue("$from", from);
                    cmd.Parameters.AddWithValue("$to", toSequenceNr);
                    cmd.Parameters.AddWithValue("$page", page);
                    using var reader = cmd.ExecuteReader();
                    var list = new List<JournalEvent>();
                    while (reader.Read())
                    {
                        list.Add(new JournalEvent(
                            persistenceId,
                            reader.GetInt64(0),
                            reader.GetString(1),
                            reader.GetInt32(2),
                            (byte[])reader.GetValue(3),
                            DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
                    }

                    return list;
                },
                cancellationToken).ConfigureAwait(false);
            foreach (var e in rows)
            {
                yield return e;
            }

            if (rows.Count < page)
            {
                yield break;
            }

            next = rows[^1].SequenceNr + 1;
        }
    }

    /// <inheritdoc />
    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        return Task.Run(
            () =>
            {
                using var connection = OpenReader();
                using var cmd = connection.CreateCommand();
                cmd.CommandText = """
                    SELECT max(
                        coalesce((SELECT max(sequence_nr) FROM journal WHERE persistence_id = $id), 0),
                        coalesce((SELECT deleted_to FROM journal_metadata WHERE persistence_id = $id), 0))
                    """;
                cmd.Parameters.AddWithValue("$id", persistenceId);
                return Convert.ToInt64(cmd.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        return Task.Run(
            async () =>
            {
                await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    using var tx = _writer.BeginTransaction(deferred: false);
                    using var cmd = _writer.CreateCommand();
                    cmd.Transaction = tx;

                    // Remember how far we deleted (capped at the highest written), so sequence numbers never restart.
                    cmd.CommandText = """
                        INSERT INTO journal_metadata (persistence_id, deleted_to)
                        VALUES ($id, min($to, max(
                            coalesce((SELECT max(sequence_nr) FROM journal WHERE persistence_id = $id), 0),
                            coalesce((SELECT deleted_to FROM journal_metadata WHERE persistence_id = $id), 0))))
                        ON CONFLICT (persistence_id) DO UPDATE SET deleted_to = max(deleted_to, excluded.deleted_to);
                        DELETE FROM journal WHERE persistence_id = $id AND sequence_nr <= $to;
                        """;
                    cmd.Parameters.AddWithValue("$id", persistenceId);
                    cmd.Parameters.AddWithValue("$to", toSequenceNr);
                    cmd.ExecuteNonQuery();
                    tx.Commit();
                }
                finally
                {
                    _writeLock.Release();
                }
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task SaveSnapshotAsync(SnapshotEntry snapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return Task.Run(
            async () =>
            {
                await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    using var cmd = _writer.CreateCommand();
                    cmd.CommandText = """
                        INSERT INTO snapshots (persistence_id, sequence_nr, type_name, type_version, payload, taken_at_ms)
                        VALUES ($id, $seq, $type, $version, $payload, $at)
                        ON CONFLICT (persistence_id, sequence_nr) DO UPDATE SET
                            type_name = excluded.type_name, type_version = excluded.type_version,
                            payload = excluded.payload, taken_at_ms = excluded.taken_at_ms
                        """;
                    cmd.Parameters.AddWithValue("$id", snapshot.PersistenceId);
                    cmd.Parameters.AddWithValue("$seq", snapshot.SequenceNr);
                    cmd.Parameters.AddWithValue("$type", snapshot.TypeName);
                    cmd.Parameters.AddWithValue("$version", snapshot.TypeVersion);
                    cmd.Parameters.AddWithValue("$payload", snapshot.Payload.ToArray());
                    cmd.Parameters.AddWithValue("$at", snapshot.Timestamp.ToUnixTimeMilliseconds());
                    cmd.ExecuteNonQuery();
                }
                finally
                {
                    _writeLock.Release();
                }
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task<SnapshotEntry?> LoadSnapshotAsync(string persistenceId, long maxSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        return Task.Run(
            () =>
            {
                using var connection = OpenReader();
                using var cmd = connection.CreateCommand();
                cmd.CommandText = """
                    SELECT sequence_nr, type_name, type_version, payload, taken_at_ms FROM snapshots
                    WHERE persistence_id = $id AND sequence_nr <= $max ORDER BY sequence_nr DESC LIMIT 1
                    """;
                cmd.Parameters.AddWithValue("$id", persistenceId);
                cmd.Parameters.AddWithValue("$max", maxSequenceNr);
                using var reader = cmd.ExecuteReader();
                return reader.Read()
                    ? new SnapshotEntry(persistenceId, reader.GetInt64(0), reader.GetString(1), reader.GetInt32(2), (byte[])reader.GetValue(3), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4)))
                    : null;
            },
            cancellationToken);
    }

    /// <inheritdoc />
    public Task DeleteSnapshotsAsync(string persistenceId, long maxSequenceNr, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(persistenceId);
        return Task.Run(
            async () =>
            {
                await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    using var cmd = _writer.CreateCommand();
                    cmd.CommandText = "DELETE FROM snapshots WHERE persistence_id = $id AND sequence_nr <= $max";
                    cmd.Parameters.AddWithValue("$id", persistenceId);
                    cmd.Parameters.AddWithValue("$max", maxSequenceNr);
                    cmd.ExecuteNonQuery();
                }
                finally
                {
                    _writeLock.Release();
                }
            },
            cancellationToken);
    }

    /// <summary>Closes the writer connection.</summary>
    public void Dispose()
    {
        _writeLock.Wait();
        try
        {
            _writer.Dispose();
        }
        finally
        {
            _writeLock.Release();
            _writeLock.Dispose();
        }
    }

    /// <summary>Closes the writer connection.</summary>
    /// <returns>Completes when closed.</returns>
    public async ValueTask DisposeAsync()
    {
        // Waits for an in-flight write without blocking a thread.
        await _writeLock.WaitAsync();
        try
        {
            await _writer.DisposeAsync();
        }
        finally
        {
            _writeLock.Release();
            _writeLock.Dispose();
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private SqliteConnection OpenReader()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, $"PRAGMA busy_timeout = {(long)_options.BusyTimeout.TotalMilliseconds}");
        return connection;
    }

    private void WriteBatch(IReadOnlyList<JournalEvent> events, CancellationToken cancellationToken)
    {
        _writeLock.Wait(cancellationToken);
        try
        {
            using var tx = _writer.BeginTransaction(deferred: false);
            try
            {
                using (var check = _writer.CreateCommand())
                {
                    // Deleted sequence numbers are never handed out again: a writer claiming one is stale.
                    check.Transaction = tx;
                    check.CommandText = "SELECT coalesce((SELECT deleted_to FROM journal_metadata WHERE persistence_id = $id), 0)";
                    check.Parameters.AddWithValue("$id", events[0].PersistenceId);
                    if ((long)check.ExecuteScalar()! >= events[0].SequenceNr)
                    {
                        throw new JournalConcurrencyException(events[0].PersistenceId, events[0].SequenceNr, null);
                    }
                }

                using var cmd = _writer.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = """
                    INSERT INTO journal (persistence_id, sequence_nr, type_name, type_version, payload, written_at_ms)
                    VALUES ($id, $seq, $type, $version, $payload, $at)
                    """;
                var id = cmd.Parameters.Add("$id", SqliteType.Text);
                var seq = cmd.Parameters.Add("$seq", SqliteType.Integer);
                var type = cmd.Parameters.Add("$type", SqliteType.Text);
                var version = cmd.Parameters.Add("$version", SqliteType.Integer);
                var payload = cmd.Parameters.Add("$payload", SqliteType.Blob);
                var at = cmd.Parameters.Add("$at", SqliteType.Integer);
                cmd.Prepare();
                foreach (var e in events)
                {
                    id.Value = e.PersistenceId;
                    seq.Value = e.SequenceNr;
                    type.Value = e.TypeName;
                    version.Value = e.TypeVersion;
                    payload.Value = e.Payload.ToArray();
                    at.Value = e.Timestamp.ToUnixTimeMilliseconds();
                    cmd.ExecuteNonQuery();
                }

                cancellationToken.ThrowIfCancellationRequested();
                tx.Commit();
            }
            catch (SqliteException ex) when (ex.SqliteErrorCode == SqliteConstraint)
            {
                tx.Rollback();
                throw new JournalConcurrencyException(events[0].PersistenceId, events[0].SequenceNr, ex);
            }
        }
        finally
        {
            _writeLock.Release();
        }
    }
}
