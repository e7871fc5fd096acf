using IsmFabric.Persistence.Tests.Support;
using Xunit.Abstractions;

namespace IsmFabric.Persistence.Tests;

public sealed class SqlitePersistentActorSpec : PersistentActorSpec
{
    public SqlitePersistentActorSpec(ITestOutputHelper output)
        : base(output, () => new SqliteStoreFactory())
    {
    }
}
