namespace IsmFabric.Persistence.Tests;

/// <summary>An amount added to a counter.</summary>
public sealed record Added(int Amount);
