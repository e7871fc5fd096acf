namespace IsmFabric.Cli.Agent;

/// <summary>What an LPAR agent reports about itself once a second: its functions and how each peer answers.</summary>
/// <param name="Lpar">The LPAR.</param>
/// <param name="Pid">The agent's process id.</param>
/// <param name="Functions">Its functions and their peers.</param>
internal sealed record LparStatus(string Lpar, int Pid, IReadOnlyList<FunctionStatus> Functions);

/// <summary>One function of an LPAR agent.</summary>
/// <param name="Fid">Function id.</param>
/// <param name="Gid">GID (hex).</param>
/// <param name="Chid">CHID.</param>
/// <param name="Up">Whether the function is brought up.</param>
/// <param name="Error">The last error, if the function failed.</param>
/// <param name="Peers">The peers on the same CHID.</param>
internal sealed record FunctionStatus(uint Fid, string Gid, ushort Chid, bool Up, string? Error, IReadOnlyList<PeerStatus> Peers);

/// <summary>A peer function as seen by test-link keepalives.</summary>
/// <param name="Lpar">The peer's LPAR.</param>
/// <param name="Gid">The peer's GID (hex).</param>
/// <param name="Reachable">QUERY_RGID answered reachable and the last test-link was answered in time.</param>
/// <param name="RoundTripMicroseconds">The last test-link round trip.</param>
/// <param name="Answered">Test-link requests answered so far.</param>
internal sealed record PeerStatus(string Lpar, string Gid, bool Reachable, double? RoundTripMicroseconds, long Answered);
