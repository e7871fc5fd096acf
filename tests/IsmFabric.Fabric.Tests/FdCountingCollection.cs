namespace IsmFabric.Fabric.Tests;

/// <summary>Tests that count the process's open file descriptors run alone: other tests open and close files meanwhile.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class FdCountingCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "counts open file descriptors";
}
