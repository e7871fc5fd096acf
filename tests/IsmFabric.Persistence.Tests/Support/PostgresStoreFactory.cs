using Npgsql;

namespace IsmFabric.Persistence.Tests.Support;

/// <summary>A fresh schema in the PostgreSQL of ISMFABRIC_TEST_POSTGRES, dropped afterwards.</summary>
public sealed class PostgresStoreFactory : StoreFactory
{
    private readonly string _connectionString = PostgresEnvironment.ConnectionString
        ?? throw new InvalidOperationException(PostgresEnvironment.SkipReason);

    public string Schema { get; } = "t_" + Guid.NewGuid().ToString("N");

    public override IReadOnlyList<string> CrashTargetArguments(string persistenceId, int batchSize) =>
        ["postgres", _connectionString, Schema, persistenceId, batchSize.ToString(System.Globalization.CultureInfo.InvariantCulture)];

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await using var dataSource = NpgsqlDataSource.Create(_connectionString);
        await using var cmd = dataSource.CreateCommand($"DROP SCHEMA IF EXISTS {Schema} CASCADE");
        await cmd.ExecuteNonQueryAsync();
    }

    protected override async Task<(IEventJournal, ISnapshotStore, IAsyncDisposable)> OpenCoreAsync()
    {
        var journal = await PostgresJournal.OpenAsync(_connectionString, Schema);
        return (journal, journal, journal);
    }
}
