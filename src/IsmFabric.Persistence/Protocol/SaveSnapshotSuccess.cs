namespace IsmFabric.Persistence;

/// <summary>A snapshot requested with SaveSnapshot is durable.</summary>
/// <param name="Metadata">The snapshot's identity.</param>
public sealed record SaveSnapshotSuccess(SnapshotMetadata Metadata);
