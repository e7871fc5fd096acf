namespace IsmFabric.Persistence;

/// <summary>A write lost the race for a sequence number: another writer for the same persistence id wrote it first. Nothing of the batch was written.</summary>
public sealed class JournalConcurrencyException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="persistenceId">The contested persistence id.</param>
    /// <param name="fromSequenceNr">The first sequence number of the rejected batch.</param>
    /// <param name="innerException">The driver's unique-violation error.</param>
    public JournalConcurrencyException(string persistenceId, long fromSequenceNr, Exception? innerException)
        : base($"Another writer already wrote sequence number {fromSequenceNr} or later of '{persistenceId}'; the batch was rejected whole", innerException)
    {
        PersistenceId = persistenceId;
        FromSequenceNr = fromSequenceNr;
    }

    /// <summary>The contested persistence id.</summary>
    public string PersistenceId { get; }

    /// <summary>The first sequence number of the rejected batch.</summary>
    public long FromSequenceNr { get; }
}
