using Xunit.Abstractions;
using Xunit.Sdk;

namespace IsmFabric.Persistence.Tests.Support;

/// <summary>Discovers <see cref="BackendFactAttribute"/> tests, turning them into skipped ones where the back end is missing.</summary>
public sealed class BackendFactDiscoverer : IXunitTestCaseDiscoverer
{
    private readonly IMessageSink _diagnostics;

    public BackendFactDiscoverer(IMessageSink diagnosticMessageSink) => _diagnostics = diagnosticMessageSink;

    public IEnumerable<IXunitTestCase> Discover(ITestFrameworkDiscoveryOptions discoveryOptions, ITestMethod testMethod, IAttributeInfo factAttribute)
    {
        var display = discoveryOptions.MethodDisplayOrDefault();
        var displayOptions = discoveryOptions.MethodDisplayOptionsOrDefault();
        var testClass = testMethod.TestClass.Class.ToRuntimeType();
        if (testClass is not null && typeof(IRequiresPostgres).IsAssignableFrom(testClass) && PostgresEnvironment.ConnectionString is null)
        {
            return [new XunitSkippedDataRowTestCase(_diagnostics, display, displayOptions, testMethod, PostgresEnvironment.SkipReason)];
        }

        return [new XunitTestCase(_diagnostics, display, displayOptions, testMethod)];
    }
}
