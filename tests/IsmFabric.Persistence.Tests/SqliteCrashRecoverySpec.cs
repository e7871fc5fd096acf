using IsmFabric.Persistence.Tests.Support;
using Xunit.Abstractions;

namespace IsmFabric.Persistence.Tests;

public sealed class SqliteCrashRecoverySpec : CrashRecoverySpec
{
    public SqliteCrashRecoverySpec(ITestOutputHelper output)
        : base(output, () => new SqliteStoreFactory())
    {
    }
}
