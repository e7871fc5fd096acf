namespace IsmFabric.Persistence.Tests;

/// <summary>The crash target's event, read back under the same stored name (the CLR types differ on purpose).</summary>
public sealed record CrashEvent(int Batch, int Index, int BatchSize, string Filler);
