namespace IsmFabric.Cli.Bench;

/// <summary>Settings of <c>ismfabric bench actors</c>, each with its default.</summary>
public sealed record ActorsBenchmarkOptions
{
    /// <summary>How long each throughput measurement (actors, then bare channels) runs. Default 3 s.</summary>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>Ping-pong pairs running at once in the throughput test. Default 4.</summary>
    public int Pairs { get; init; } = 4;

    /// <summary>Messages each pair keeps in flight. Default 100.</summary>
    public int Window { get; init; } = 100;

    /// <summary>Sequential round trips measured for the Ask latency (after as many warm-up ones). Default 20 000.</summary>
    public int AskRoundTrips { get; init; } = 20_000;

    /// <summary>Events written per journal measurement. Default 20 000.</summary>
    public int PersistEvents { get; init; } = 20_000;

    /// <summary>Events per PersistAll (and rows per baseline transaction). Default 100.</summary>
    public int PersistBatchSize { get; init; } = 100;

    /// <summary>Directory for the SQLite files; null for a fresh temporary directory (deleted afterwards).</summary>
    public string? SqliteDirectory { get; init; }

    /// <summary>PostgreSQL connection string; null omits <c>persist_events_per_s_postgres</c>.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        if (Duration <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(Duration)} must be positive (was {Duration})", nameof(Duration));
        }

        Positive(Pairs, nameof(Pairs));
        Positive(Window, nameof(Window));
        Positive(AskRoundTrips, nameof(AskRoundTrips));
        Positive(PersistEvents, nameof(PersistEvents));
        Positive(PersistBatchSize, nameof(PersistBatchSize));
    }

    private static void Positive(int value, string name)
    {
        if (value < 1)
        {
            throw new ArgumentException($"{name} must be at least 1 (was {value})", name);
        }
    }
}
