namespace IsmFabric.Persistence;

/// <summary>Settings of the SQLite journal, each with its default.</summary>
public sealed record SqliteJournalOptions
{
    /// <summary>
    /// SQLite's <c>synchronous</c> pragma in WAL mode: "FULL" (default) syncs the WAL on every commit, so an event
    /// whose handler ran survives a power loss; "NORMAL" survives a process crash only, and is faster.
    /// </summary>
    public string Synchronous { get; init; } = "FULL";

    /// <summary>How long a writer waits for another process holding the write lock. Default 10 s.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the invalid setting.</summary>
    public void Validate()
    {
        if (Synchronous is not ("FULL" or "NORMAL" or "EXTRA"))
        {
            throw new ArgumentException($"{nameof(Synchronous)} must be FULL, NORMAL or EXTRA (was '{Synchronous}')", nameof(Synchronous));
        }

        if (BusyTimeout < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(BusyTimeout)} must not be negative (was {BusyTimeout})", nameof(BusyTimeout));
        }
    }
}
