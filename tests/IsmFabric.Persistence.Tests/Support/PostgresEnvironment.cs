namespace IsmFabric.Persistence.Tests.Support;

/// <summary>Where the PostgreSQL tests find their server: the ISMFABRIC_TEST_POSTGRES connection string.</summary>
internal static class PostgresEnvironment
{
    public const string Variable = "ISMFABRIC_TEST_POSTGRES";

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;

    public static string SkipReason =>
        $"{Variable} is not set: PostgreSQL back-end tests need a connection string (CI sets it; see docs/persistence.md)";
}
