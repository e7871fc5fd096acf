namespace IsmFabric.Fabric.Tests;

/// <summary>A fact that needs the PostgreSQL of ISMFABRIC_TEST_POSTGRES, skipped with the reason when it is not set.</summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public const string Variable = "ISMFABRIC_TEST_POSTGRES";

    public PostgresFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Variable)))
        {
            Skip = $"{Variable} is not set: no PostgreSQL to journal to (.ci/run starts one)";
        }
    }
}
