namespace IsmFabric.Persistence;

/// <summary>A snapshot requested with SaveSnapshot could not be stored.</summary>
/// <param name="Metadata">The snapshot's identity.</param>
/// <param name="Cause">Why it failed.</param>
public sealed record SaveSnapshotFailure(SnapshotMetadata Metadata, Exception Cause);
