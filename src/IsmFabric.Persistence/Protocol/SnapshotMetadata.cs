namespace IsmFabric.Persistence;

/// <summary>Identifies a snapshot: whose, after which event, and when.</summary>
/// <param name="PersistenceId">The persistent actor's identity.</param>
/// <param name="SequenceNr">The last event the snapshot includes.</param>
/// <param name="Timestamp">When it was taken.</param>
public sealed record SnapshotMetadata(string PersistenceId, long SequenceNr, DateTimeOffset Timestamp);
