namespace IsmFabric.Host.Configuration;

/// <summary>Where the node's journal lives: a SQLite file by default, PostgreSQL when a connection string is given.</summary>
public sealed record NodeDatabaseOptions
{
    /// <summary>The SQLite journal file (used when <see cref="Postgres"/> is not set).</summary>
    public required string Sqlite { get; init; }

    /// <summary>A PostgreSQL connection string; when set it wins over <see cref="Sqlite"/>.</summary>
    public string? Postgres { get; init; }

    /// <summary>The PostgreSQL schema. Default <c>ismfabric</c>.</summary>
    public string PostgresSchema { get; init; } = "ismfabric";

    /// <summary>Whether the journal is PostgreSQL.</summary>
    public bool UsesPostgres => Postgres is not null;
}
