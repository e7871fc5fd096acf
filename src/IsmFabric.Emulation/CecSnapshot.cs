namespace IsmFabric.Emulation;

/// <summary>What an emulated CEC looks like at one moment, for <c>ismfabric cec show</c>.</summary>
/// <param name="Name">The CEC's name.</param>
/// <param name="Directory">Where its files are.</param>
/// <param name="Lpars">Its LPARs and whether a process is attached.</param>
/// <param name="Functions">Its ISM functions with state, registrations, faults and counters.</param>
/// <param name="Dmbs">Every registered DMB and its owner.</param>
public sealed record CecSnapshot(
    string Name,
    string Directory,
    IReadOnlyList<LparSnapshot> Lpars,
    IReadOnlyList<FunctionSnapshot> Functions,
    IReadOnlyList<DmbSnapshot> Dmbs);
