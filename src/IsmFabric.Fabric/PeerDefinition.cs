namespace IsmFabric.Fabric;

/// <summary>A peer LPAR as configured: its name and the GIDs of its ISM functions (one per CHID it shares with us).</summary>
/// <param name="Name">The peer's name.</param>
/// <param name="Gids">Its functions' GIDs.</param>
public sealed record PeerDefinition(string Name, IReadOnlyList<ulong> Gids);
