namespace IsmFabric.Persistence;

/// <summary>
/// The event journal: an append-only log per persistence id, unique on (persistence id, sequence number), so a
/// second writer for the same id fails instead of interleaving. Every method is asynchronous; none blocks the caller.
/// </summary>
public interface IEventJournal
{
    /// <summary>
    /// Appends <paramref name="events"/> atomically: all are durable when the task completes, or none is written.
    /// They must belong to one persistence id and have consecutive sequence numbers.
    /// </summary>
    /// <param name="events">The batch.</param>
    /// <param name="cancellationToken">Cancels the write (before it commits).</param>
    /// <returns>Completes once the batch is durable.</returns>
    /// <exception cref="JournalConcurrencyException">A sequence number is taken (another writer got there first).</exception>
    Task WriteAsync(IReadOnlyList<JournalEvent> events, CancellationToken cancellationToken = default);

    /// <summary>Reads the events of <paramref name="persistenceId"/> from <paramref name="fromSequenceNr"/> to <paramref name="toSequenceNr"/> (inclusive), in order.</summary>
    /// <param name="persistenceId">The persistence id.</param>
    /// <param name="fromSequenceNr">The first sequence number wanted.</param>
    /// <param name="toSequenceNr">The last sequence number wanted.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The events.</returns>
    IAsyncEnumerable<JournalEvent> ReadAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, CancellationToken cancellationToken = default);

    /// <summary>The highest sequence number ever written for <paramref name="persistenceId"/>, even if deleted since; 0 if none.</summary>
    /// <param name="persistenceId">The persistence id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The highest sequence number.</returns>
    Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default);

    /// <summary>Deletes the events of <paramref name="persistenceId"/> up to <paramref name="toSequenceNr"/> (inclusive); the highest sequence number is kept.</summary>
    /// <param name="persistenceId">The persistence id.</param>
    /// <param name="toSequenceNr">The last sequence number to delete.</param>
    /// <param name="cancellationToken">Cancels the deletion.</param>
    /// <returns>Completes once deleted.</returns>
    Task DeleteToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default);
}
