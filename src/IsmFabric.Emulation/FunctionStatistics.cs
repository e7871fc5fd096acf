namespace IsmFabric.Emulation;

/// <summary>Counters of one emulated function since the CEC was created.</summary>
/// <param name="Moves">Stores into DMBs issued by the function.</param>
/// <param name="MoveBytes">Bytes it moved.</param>
/// <param name="RejectedMoves">Stores refused (bad token, wrong GID, …).</param>
/// <param name="SignalsReceived">DMB signals set in its SBA.</param>
/// <param name="EventsReceived">Events written to its IEQ.</param>
/// <param name="Interrupts">Interrupts delivered to it.</param>
/// <param name="LostInterrupts">Interrupts lost by fault injection.</param>
/// <param name="Commands">Commands it issued.</param>
/// <param name="IommuFaults">IOMMU faults it took (each put it into the error state); 0 for a driver that unregisters before it unmaps.</param>
public sealed record FunctionStatistics(
    long Moves, long MoveBytes, long RejectedMoves, long SignalsReceived, long EventsReceived, long Interrupts,
    long LostInterrupts, long Commands, long IommuFaults);
