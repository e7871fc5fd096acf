using System.Text.Json.Serialization;

namespace IsmFabric.Emulation;

/// <summary>One ISM function of an emulated CEC.</summary>
/// <param name="Fid">The zPCI function id.</param>
/// <param name="Lpar">The LPAR the function is configured to.</param>
/// <param name="Chid">The CHID (fabric id, pchid): functions on different CHIDs cannot reach each other.</param>
/// <param name="Gid">The function's 64-bit GID.</param>
/// <param name="Pnetid">The PNETID in the function's utility string (port 0).</param>
/// <param name="Vfn">The virtual function number.</param>
public sealed record FunctionDefinition(
    [property: JsonPropertyName("fid")] uint Fid,
    [property: JsonPropertyName("lpar")] string Lpar,
    [property: JsonPropertyName("chid")] ushort Chid,
    [property: JsonPropertyName("gid")] ulong Gid,
    [property: JsonPropertyName("pnetid")] string Pnetid,
    [property: JsonPropertyName("vfn")] ushort Vfn);
