namespace IsmFabric.Persistence;

/// <summary>
/// One event as the journal stores it: its persistent actor, its position, its explicit type name and version
/// (see <see cref="EventTypeRegistry"/>), and its serialized payload (UTF-8 JSON).
/// </summary>
/// <param name="PersistenceId">The persistent actor's identity.</param>
/// <param name="SequenceNr">The event's position, from 1, without gaps.</param>
/// <param name="TypeName">The registered type name, e.g. "device-added".</param>
/// <param name="TypeVersion">The registered version of that type.</param>
/// <param name="Payload">The serialized event.</param>
/// <param name="Timestamp">When it was written.</param>
public sealed record JournalEvent(string PersistenceId, long SequenceNr, string TypeName, int TypeVersion, ReadOnlyMemory<byte> Payload, DateTimeOffset Timestamp);
