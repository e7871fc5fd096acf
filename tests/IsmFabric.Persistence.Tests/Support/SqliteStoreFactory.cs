namespace IsmFabric.Persistence.Tests.Support;

/// <summary>A fresh SQLite file in a temporary directory, deleted afterwards.</summary>
public sealed class SqliteStoreFactory : StoreFactory
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ismfabric-journal-").FullName;

    public string DatabasePath => Path.Combine(_directory, "journal.db");

    public override IReadOnlyList<string> CrashTargetArguments(string persistenceId, int batchSize) =>
        ["sqlite", DatabasePath, persistenceId, batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A killed child may still be releasing the file; the temp directory is cleaned by the OS eventually.
        }
    }

    protected override async Task<(IEventJournal, ISnapshotStore, IAsyncDisposable)> OpenCoreAsync()
    {
        var journal = await SqliteJournal.OpenAsync(DatabasePath);
        return (journal, journal, journal);
    }
}
