using IsmFabric.Fabric.Persistence;
using Npgsql;

namespace IsmFabric.Fabric.Tests.Journal;

/// <summary>The journal guarantees on PostgreSQL, each test in a schema of its own (created by the node, dropped after).</summary>
public sealed class PostgresJournalSpec : JournalSpec
{
    public const string Variable = "ISMFABRIC_TEST_POSTGRES";
    private readonly string _schema = "journal_" + Guid.NewGuid().ToString("N")[..12];

    private static string Connection => Environment.GetEnvironmentVariable(Variable)
        ?? throw new InvalidOperationException($"{Variable} is not set: no PostgreSQL to test against (.ci/run starts one)");

    protected override FabricJournalOptions Journal => FabricJournalOptions.Postgres(Connection, _schema);

    protected override string[] WriterArguments => ["--postgres", Connection, "--schema", _schema];

    public override Task InitializeAsync() => Task.CompletedTask;

    [PostgresFact]
    public Task A_process_killed_in_the_middle_of_PersistAll_recovers_whole_batches_only() => A_process_killed_in_the_middle_of_PersistAll_recovers_whole_batches_onlyCore();

    [PostgresFact]
    public Task Two_writers_of_one_persistence_id_cannot_interleave_one_of_them_fails() => Two_writers_of_one_persistence_id_cannot_interleave_one_of_them_failsCore();

    [PostgresFact]
    public Task A_write_the_journal_cannot_take_is_rejected_the_actor_is_told_and_goes_on() => A_write_the_journal_cannot_take_is_rejected_the_actor_is_told_and_goes_onCore();

    [PostgresFact]
    public Task An_event_of_an_unknown_manifest_fails_recovery_with_an_error_that_names_it() => An_event_of_an_unknown_manifest_fails_recovery_with_an_error_that_names_itCore();

    [PostgresFact]
    public Task The_channel_ledger_snapshots_and_recovers_from_its_snapshot() => The_channel_ledger_snapshots_and_recovers_from_its_snapshotCore();


    public override async Task DisposeAsync()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            return;
        }

        await using var db = new NpgsqlConnection(Connection);
        await db.OpenAsync();
        await using var drop = new NpgsqlCommand($"DROP SCHEMA IF EXISTS {_schema} CASCADE", db);
        await drop.ExecuteNonQueryAsync();
    }

    protected override async Task SetManifestAsync(string persistenceId, string manifest)
    {
        await using var db = new NpgsqlConnection(Connection);
        await db.OpenAsync();
        await using var update = new NpgsqlCommand($"UPDATE {_schema}.event_journal SET manifest = $1 WHERE persistence_id = $2", db);
        update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = manifest });
        update.Parameters.Add(new NpgsqlParameter<string> { TypedValue = persistenceId });
        Assert.True(await update.ExecuteNonQueryAsync() > 0);
    }
}
