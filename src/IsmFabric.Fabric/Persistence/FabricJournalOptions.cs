namespace IsmFabric.Fabric.Persistence;

/// <summary>
/// Where a node journals (Akka.Persistence.Sql): a SQLite file by default, PostgreSQL when a connection string is
/// given. Tables are created when missing.
/// </summary>
public sealed record FabricJournalOptions
{
    private FabricJournalOptions(string? sqlitePath, string? postgres, string schema)
    {
        SqlitePath = sqlitePath;
        PostgresConnectionString = postgres;
        PostgresSchema = schema;
    }

    /// <summary>The SQLite database file, or null on PostgreSQL.</summary>
    public string? SqlitePath { get; }

    /// <summary>The PostgreSQL connection string, or null on SQLite.</summary>
    public string? PostgresConnectionString { get; }

    /// <summary>The PostgreSQL schema the tables live in (created if missing).</summary>
    public string PostgresSchema { get; }

    /// <summary>True when the journal is on PostgreSQL.</summary>
    public bool UsesPostgres => PostgresConnectionString is not null;

    /// <summary>A journal in the SQLite file <paramref name="path"/> (WAL, synchronous=FULL).</summary>
    public static FabricJournalOptions Sqlite(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return new FabricJournalOptions(Path.GetFullPath(path), null, "public");
    }

    /// <summary>A journal in PostgreSQL, in <paramref name="schema"/>.</summary>
    public static FabricJournalOptions Postgres(string connectionString, string schema = "public")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        if (string.IsNullOrEmpty(schema) || !schema.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || char.IsAsciiDigit(schema[0]))
        {
            throw new ArgumentException($"PostgresSchema: '{schema}' is not a plain SQL identifier (letters, digits, '_'; not starting with a digit)", nameof(schema));
        }

        return new FabricJournalOptions(null, connectionString, schema);
    }
}
