using IsmFabric.Persistence;

namespace IsmFabric.Fabric;

/// <summary>Where the node keeps its state: the event journal and snapshot store (SQLite by default, PostgreSQL by connection string).</summary>
/// <param name="Journal">The event journal.</param>
/// <param name="Snapshots">The snapshot store.</param>
public sealed record FabricPersistence(IEventJournal Journal, ISnapshotStore Snapshots);
