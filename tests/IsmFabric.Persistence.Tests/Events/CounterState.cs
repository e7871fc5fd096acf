namespace IsmFabric.Persistence.Tests;

/// <summary>A counter's state, as a snapshot.</summary>
public sealed record CounterState(int Total);
