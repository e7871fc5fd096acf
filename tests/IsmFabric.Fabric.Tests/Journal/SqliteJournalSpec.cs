using IsmFabric.Fabric.Persistence;
using Microsoft.Data.Sqlite;

namespace IsmFabric.Fabric.Tests.Journal;

/// <summary>The journal guarantees on SQLite (the embedded default): WAL, synchronous=FULL.</summary>
public sealed class SqliteJournalSpec : JournalSpec
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ismfabric-journal-").FullName;

    private string DatabasePath => Path.Combine(_directory, "node.db");

    protected override FabricJournalOptions Journal => FabricJournalOptions.Sqlite(DatabasePath);

    protected override string[] WriterArguments => ["--sqlite", DatabasePath];

    public override Task InitializeAsync() => Task.CompletedTask;

    public override Task DisposeAsync()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        return Task.CompletedTask;
    }

    protected override async Task SetManifestAsync(string persistenceId, string manifest)
    {
        await using var db = new SqliteConnection($"Data Source={DatabasePath}");
        await db.OpenAsync();
        await using var update = db.CreateCommand();
        update.CommandText = "UPDATE event_journal SET manifest = $m WHERE persistence_id = $id";
        update.Parameters.AddWithValue("$m", manifest);
        update.Parameters.AddWithValue("$id", persistenceId);
        Assert.True(await update.ExecuteNonQueryAsync() > 0);
    }

    [Fact]
    public Task A_process_killed_in_the_middle_of_PersistAll_recovers_whole_batches_only() => A_process_killed_in_the_middle_of_PersistAll_recovers_whole_batches_onlyCore();

    [Fact]
    public Task Two_writers_of_one_persistence_id_cannot_interleave_one_of_them_fails() => Two_writers_of_one_persistence_id_cannot_interleave_one_of_them_failsCore();

    [Fact]
    public Task A_write_the_journal_cannot_take_is_rejected_the_actor_is_told_and_goes_on() => A_write_the_journal_cannot_take_is_rejected_the_actor_is_told_and_goes_onCore();

    [Fact]
    public Task An_event_of_an_unknown_manifest_fails_recovery_with_an_error_that_names_it() => An_event_of_an_unknown_manifest_fails_recovery_with_an_error_that_names_itCore();

    [Fact]
    public Task The_channel_ledger_snapshots_and_recovers_from_its_snapshot() => The_channel_ledger_snapshots_and_recovers_from_its_snapshotCore();

    [Fact]
    public async Task The_journal_file_is_in_WAL_mode_and_connections_run_with_synchronous_FULL()
    {
        await using (await JournalHost.StartAsync(Journal))
        {
        }

        await using var db = new SqliteConnection($"Data Source={DatabasePath}");
        await db.OpenAsync();
        await using var mode = db.CreateCommand();
        mode.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await mode.ExecuteScalarAsync());
        await using var sync = db.CreateCommand();
        sync.CommandText = "PRAGMA synchronous";
        Assert.Equal(2L, (long)(await sync.ExecuteScalarAsync())!); // FULL: the default that Akka's connections get too
    }
}
