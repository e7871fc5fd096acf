namespace IsmFabric.Persistence.Tests.Support;

/// <summary>
/// One isolated store per test (a fresh SQLite file or a fresh PostgreSQL schema) that can be opened several times,
/// as separate writers would, and be handed to a child process.
/// </summary>
public abstract class StoreFactory : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _opened = [];

    /// <summary>Opens another independent connection to the same store.</summary>
    public async Task<(IEventJournal Journal, ISnapshotStore Snapshots)> OpenAsync()
    {
        var (journal, snapshots, disposable) = await OpenCoreAsync();
        lock (_opened)
        {
            _opened.Add(disposable);
        }

        return (journal, snapshots);
    }

    /// <summary>Arguments for the crash target to open the same store.</summary>
    public abstract IReadOnlyList<string> CrashTargetArguments(string persistenceId, int batchSize);

    public virtual async ValueTask DisposeAsync()
    {
        foreach (var d in _opened)
        {
            await d.DisposeAsync();
        }

        GC.SuppressFinalize(this);
    }

    protected abstract Task<(IEventJournal, ISnapshotStore, IAsyncDisposable)> OpenCoreAsync();
}
