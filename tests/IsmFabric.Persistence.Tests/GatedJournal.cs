namespace IsmFabric.Persistence.Tests;

/// <summary>A journal decorator whose writes wait until the test opens the gate: makes "a write is in flight" observable.</summary>
internal sealed class GatedJournal : IEventJournal
{
    private readonly IEventJournal _inner;
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _waiting;

    public GatedJournal(IEventJournal inner) => _inner = inner;

    public int WaitingWrites => Volatile.Read(ref _waiting);

    public void Open() => _gate.TrySetResult();

    public async Task WriteAsync(IReadOnlyList<JournalEvent> events, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _waiting);
        await _gate.Task;
        Interlocked.Decrement(ref _waiting);
        await _inner.WriteAsync(events, cancellationToken);
    }

    public IAsyncEnumerable<JournalEvent> ReadAsync(string persistenceId, long fromSequenceNr, long toSequenceNr, CancellationToken cancellationToken = default) =>
        _inner.ReadAsync(persistenceId, fromSequenceNr, toSequenceNr, cancellationToken);

    public Task<long> ReadHighestSequenceNrAsync(string persistenceId, CancellationToken cancellationToken = default) =>
        _inner.ReadHighestSequenceNrAsync(persistenceId, cancellationToken);

    public Task DeleteToAsync(string persistenceId, long toSequenceNr, CancellationToken cancellationToken = default) =>
        _inner.DeleteToAsync(persistenceId, toSequenceNr, cancellationToken);
}
