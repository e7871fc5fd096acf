namespace IsmFabric.Fabric.Tests;

/// <summary>
/// Tests that run alone: those that count the process's open file descriptors (other tests open and close files
/// meanwhile) and those that keep both cores busy (they would starve the timing of tests running beside them).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FdCountingCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "counts open file descriptors";
}
