using IsmFabric.Persistence.Tests.Support;

namespace IsmFabric.Persistence.Tests;

public sealed class SqliteJournalSpec : JournalSpec
{
    public SqliteJournalSpec()
        : base(() => new SqliteStoreFactory())
    {
    }
}
