using IsmFabric.Persistence.Tests.Support;
using Xunit.Abstractions;

namespace IsmFabric.Persistence.Tests;

public sealed class PostgresCrashRecoverySpec : CrashRecoverySpec, IRequiresPostgres
{
    public PostgresCrashRecoverySpec(ITestOutputHelper output)
        : base(output, () => new PostgresStoreFactory())
    {
    }
}
