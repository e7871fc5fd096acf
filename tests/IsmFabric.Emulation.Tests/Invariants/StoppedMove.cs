namespace IsmFabric.Emulation.Tests.Invariants;

/// <summary>An LPAR process stopped (SIGSTOP) inside a store of one of its functions.</summary>
/// <param name="Fn">The function storing.</param>
/// <param name="Token">The DMB its copy is in flight into (its hazard).</param>
internal sealed record StoppedMove(int Fn, ulong Token);
