using Akka.Persistence.Sql.Hosting;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace IsmFabric.Fabric.Hosting;

/// <summary>
/// What the database needs before Akka.Persistence.Sql creates its tables: the SQLite file in WAL mode (set
/// explicitly, it is a property of the file) with synchronous=FULL, or the PostgreSQL schema.
/// </summary>
internal static class SqlJournalSetup
{
    /// <summary>Creates the SQLite file and its directory if needed, switches it to WAL, and returns the connection string.</summary>
    internal static string PrepareSqlite(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var connection = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        using var db = new SqliteConnection(connection);
        db.Open();
        using var wal = db.CreateCommand();
        wal.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
        wal.ExecuteNonQuery();
        using var check = db.CreateCommand();
        check.CommandText = "PRAGMA journal_mode;";
        var mode = check.ExecuteScalar() as string;
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"the journal {path} cannot be put into WAL mode (it reports '{mode}'); is it on a file system without shared memory?");
        }

        return connection;
    }

    /// <summary>The synchronous setting a fresh connection to <paramref name="connection"/> runs with (2 = FULL).</summary>
    internal static long SqliteSynchronous(string connection)
    {
        using var db = new SqliteConnection(connection);
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = "PRAGMA synchronous;";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Creates <paramref name="schema"/> if it is missing.</summary>
    internal static void EnsurePostgresSchema(string connection, string schema)
    {
        using var db = new NpgsqlConnection(connection);
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = $"CREATE SCHEMA IF NOT EXISTS \"{schema}\"";
        command.ExecuteNonQuery();
    }

    internal static JournalDatabaseOptions JournalDatabase(DatabaseMapping mapping, string schema) =>
        mapping == DatabaseMapping.PostgreSql ? new JournalDatabaseOptions(mapping) { SchemaName = schema } : new JournalDatabaseOptions(mapping);

    internal static SnapshotDatabaseOptions SnapshotDatabase(DatabaseMapping mapping, string schema) =>
        mapping == DatabaseMapping.PostgreSql ? new SnapshotDatabaseOptions(mapping) { SchemaName = schema } : new SnapshotDatabaseOptions(mapping);
}
