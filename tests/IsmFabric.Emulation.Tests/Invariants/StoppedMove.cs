namespace IsmFabric.Emulation.Tests.Invariants;

/// <summary>An LPAR process stopped (SIGSTOP) inside a store of one of its functions.</summary>
/// <param name="Fn">The function storing.</param>
/// <param name="Token">The DMB it stores into (its hazard).</param>
/// <param name="Copying">True when the DMB was registered when the store began: the copy is in flight, so the DMB must not be freed.</param>
internal sealed record StoppedMove(int Fn, ulong Token, bool Copying);
