using IsmFabric.Persistence.Tests.Support;

namespace IsmFabric.Persistence.Tests;

public sealed class PostgresJournalSpec : JournalSpec, IRequiresPostgres
{
    public PostgresJournalSpec()
        : base(() => new PostgresStoreFactory())
    {
    }
}
