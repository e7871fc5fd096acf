namespace IsmFabric.Ism;

/// <summary>What one pass over the SBA and IEQ found.</summary>
/// <param name="Signals">DMBs signalled by peers, in slot order.</param>
/// <param name="Events">IEQ entries, in the order the device wrote them.</param>
/// <param name="StraySignals">Slots signalled that hold no DMB of ours (a signal raced an unregistration).</param>
/// <param name="Errors">Malformed device state found and skipped (never thrown, so no signal is lost).</param>
public sealed record IsmInterruptBatch(
    IReadOnlyList<DmbSignal> Signals,
    IReadOnlyList<IsmEvent> Events,
    int StraySignals,
    IReadOnlyList<string> Errors)
{
    /// <summary>True when nothing was found.</summary>
    public bool IsEmpty => Signals.Count == 0 && Events.Count == 0 && StraySignals == 0 && Errors.Count == 0;
}
