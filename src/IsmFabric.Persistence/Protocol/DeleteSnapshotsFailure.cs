namespace IsmFabric.Persistence;

/// <summary>Deleting snapshots requested with DeleteSnapshots failed.</summary>
/// <param name="MaxSequenceNr">The requested highest sequence number.</param>
/// <param name="Cause">Why it failed.</param>
public sealed record DeleteSnapshotsFailure(long MaxSequenceNr, Exception Cause);
