using Xunit;
using Xunit.Sdk;

namespace IsmFabric.Persistence.Tests.Support;

/// <summary>
/// A fact of a back-end-neutral spec: it runs for every concrete subclass, and shows as skipped (with the reason)
/// in a class marked <see cref="IRequiresPostgres"/> when ISMFABRIC_TEST_POSTGRES is not set.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
[XunitTestCaseDiscoverer("IsmFabric.Persistence.Tests.Support.BackendFactDiscoverer", "IsmFabric.Persistence.Tests")]
public sealed class BackendFactAttribute : FactAttribute
{
}
