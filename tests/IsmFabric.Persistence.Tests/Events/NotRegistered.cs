namespace IsmFabric.Persistence.Tests;

/// <summary>An event type deliberately missing from the registry.</summary>
public sealed record NotRegistered(int X);
