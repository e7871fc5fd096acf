namespace IsmFabric.Persistence.Tests;

/// <summary>An event that says which writer wrote it, in which batch, at which place.</summary>
public sealed record Tagged(string Writer, int Batch, int Index);
