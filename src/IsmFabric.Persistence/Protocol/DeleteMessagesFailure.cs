namespace IsmFabric.Persistence;

/// <summary>Deleting events requested with DeleteMessages failed.</summary>
/// <param name="ToSequenceNr">The requested last sequence number.</param>
/// <param name="Cause">Why it failed.</param>
public sealed record DeleteMessagesFailure(long ToSequenceNr, Exception Cause);
