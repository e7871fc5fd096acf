namespace IsmFabric.Ism.Tests.Fuzz;

/// <summary>What happened before the device broke: the driver's DMBs, and its peer's signalled stores and events into them.</summary>
/// <param name="Dmbs">DMBs the driver registered for its peer (slots 32, 33, …).</param>
/// <param name="Signals">Signalled stores of the peer into them (round-robin).</param>
/// <param name="Events">Software events the peer sent (more than 15 wrap the IEQ).</param>
public sealed record DriverTraffic(int Dmbs, int Signals, int Events)
{
    public override string ToString() => $"{Dmbs} DMBs, {Signals} signals and {Events} events from the peer";
}
