namespace IsmFabric.Persistence;

/// <summary>A stored snapshot: the state of a persistent actor after event <paramref name="SequenceNr"/>, serialized like an event.</summary>
/// <param name="PersistenceId">The persistent actor's identity.</param>
/// <param name="SequenceNr">The last event the snapshot includes.</param>
/// <param name="TypeName">The registered type name of the state.</param>
/// <param name="TypeVersion">The registered version.</param>
/// <param name="Payload">The serialized state.</param>
/// <param name="Timestamp">When it was taken.</param>
public sealed record SnapshotEntry(string PersistenceId, long SequenceNr, string TypeName, int TypeVersion, ReadOnlyMemory<byte> Payload, DateTimeOffset Timestamp);
