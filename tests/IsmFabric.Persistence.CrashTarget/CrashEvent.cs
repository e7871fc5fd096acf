namespace IsmFabric.Persistence.CrashTarget;

/// <summary>One event of a batch: which batch, its place in it, and filler so a batch takes a while to write.</summary>
internal sealed record CrashEvent(int Batch, int Index, int BatchSize, string Filler);
