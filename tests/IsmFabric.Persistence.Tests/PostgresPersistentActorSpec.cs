using IsmFabric.Persistence.Tests.Support;
using Xunit.Abstractions;

namespace IsmFabric.Persistence.Tests;

public sealed class PostgresPersistentActorSpec : PersistentActorSpec, IRequiresPostgres
{
    public PostgresPersistentActorSpec(ITestOutputHelper output)
        : base(output, () => new PostgresStoreFactory())
    {
    }
}
