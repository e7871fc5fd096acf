namespace IsmFabric.Persistence.Tests.Support;

/// <summary>Marks a test class whose <see cref="BackendFactAttribute"/> tests are skipped, with a reason, when no PostgreSQL is configured.</summary>
public interface IRequiresPostgres
{
}
