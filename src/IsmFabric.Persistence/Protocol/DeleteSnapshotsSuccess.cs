namespace IsmFabric.Persistence;

/// <summary>The snapshots up to MaxSequenceNr were deleted (requested with DeleteSnapshots).</summary>
/// <param name="MaxSequenceNr">The highest deleted snapshot sequence number.</param>
public sealed record DeleteSnapshotsSuccess(long MaxSequenceNr);
