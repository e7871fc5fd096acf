namespace IsmFabric.Persistence;

/// <summary>The checks every journal applies to a batch before writing it.</summary>
internal static class BatchValidation
{
    public static void Validate(IReadOnlyList<JournalEvent> events)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        var first = events[0];
        ArgumentException.ThrowIfNullOrEmpty(first.PersistenceId, nameof(events));
        if (first.SequenceNr < 1)
        {
            throw new ArgumentException($"Sequence numbers start at 1 (got {first.SequenceNr})", nameof(events));
        }

        for (var i = 1; i < events.Count; i++)
        {
            if (!string.Equals(events[i].PersistenceId, first.PersistenceId, StringComparison.Ordinal))
            {
                throw new ArgumentException("A batch must belong to one persistence id", nameof(events));
            }

            if (events[i].SequenceNr != first.SequenceNr + i)
            {
                throw new ArgumentException($"A batch must have consecutive sequence numbers (got {events[i].SequenceNr} after {events[i - 1].SequenceNr})", nameof(events));
            }
        }
    }
}
