namespace IsmFabric.Persistence;

/// <summary>Delivered to the recovery handlers first when a snapshot exists; the events after it follow.</summary>
/// <param name="Metadata">The snapshot's identity.</param>
/// <param name="Snapshot">The deserialized state.</param>
public sealed record SnapshotOffer(SnapshotMetadata Metadata, object Snapshot);
