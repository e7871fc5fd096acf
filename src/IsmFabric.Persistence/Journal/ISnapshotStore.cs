namespace IsmFabric.Persistence;

/// <summary>Stores snapshots of persistent actors so recovery can start from one instead of replaying every event.</summary>
public interface ISnapshotStore
{
    /// <summary>Stores <paramref name="snapshot"/> (replacing one at the same sequence number).</summary>
    /// <param name="snapshot">The snapshot.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Completes once durable.</returns>
    Task SaveSnapshotAsync(SnapshotEntry snapshot, CancellationToken cancellationToken = default);

    /// <summary>The newest snapshot of <paramref name="persistenceId"/> at or below <paramref name="maxSequenceNr"/>, or null.</summary>
    /// <param name="persistenceId">The persistence id.</param>
    /// <param name="maxSequenceNr">The highest sequence number acceptable.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The snapshot, or null.</returns>
    Task<SnapshotEntry?> LoadSnapshotAsync(string persistenceId, long maxSequenceNr, CancellationToken cancellationToken = default);

    /// <summary>Deletes the snapshots of <paramref name="persistenceId"/> at or below <paramref name="maxSequenceNr"/>.</summary>
    /// <param name="persistenceId">The persistence id.</param>
    /// <param name="maxSequenceNr">The highest sequence number to delete.</param>
    /// <param name="cancellationToken">Cancels the deletion.</param>
    /// <returns>Completes once deleted.</returns>
    Task DeleteSnapshotsAsync(string persistenceId, long maxSequenceNr, CancellationToken cancellationToken = default);
}
