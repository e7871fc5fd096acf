namespace IsmFabric.Persistence;

/// <summary>The events up to ToSequenceNr were deleted (requested with DeleteMessages).</summary>
/// <param name="ToSequenceNr">The last deleted sequence number.</param>
public sealed record DeleteMessagesSuccess(long ToSequenceNr);
