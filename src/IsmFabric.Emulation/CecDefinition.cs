using System.Text.Json;
using System.Text.Json.Serialization;

namespace IsmFabric.Emulation;

/// <summary>
/// The static shape of an emulated CEC, written once to <c>cec.json</c> when the CEC is created: its LPARs and the
/// ISM functions each LPAR owns, with their CHIDs, GIDs and PNETIDs.
/// </summary>
/// <param name="Name">The CEC's name.</param>
/// <param name="Lpars">The LPARs, in order.</param>
/// <param name="Functions">Every ISM function of the CEC.</param>
/// <remarks>
/// <see cref="EmulatedCec.Create"/> refuses a definition the emulator cannot hold, and reading <c>cec.json</c> fails
/// on one, with a message naming the field and the accepted values: 1..<see cref="MaxLpars"/> LPARs with unique
/// names and 4 MiB..4 GiB of memory, 1..<see cref="MaxFunctions"/> functions on LPARs of the CEC, with unique FIDs,
/// unique non-zero GIDs, CHIDs below <see cref="FirstReservedChid"/> and PNETIDs of 1..16 A-Z or 0-9.
/// </remarks>
public sealed record CecDefinition(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("lpars")] IReadOnlyList<LparDefinition> Lpars,
    [property: JsonPropertyName("functions")] IReadOnlyList<FunctionDefinition> Functions) : IJsonOnDeserialized
{
    /// <summary>The file format version this code writes and reads.</summary>
    public const int FormatVersion = 1;

    /// <summary>The format version stored in the file.</summary>
    [JsonPropertyName("format_version")]
    public int Version { get; init; } = FormatVersion;

    /// <summary>The most LPARs a CEC can have.</summary>
    public const int MaxLpars = CecLayout.MaxLpars;

    /// <summary>The most ISM functions a CEC can have, over all its LPARs.</summary>
    public const int MaxFunctions = CecLayout.MaxFunctions;

    /// <summary>The least memory an LPAR can have, in bytes (a multiple of 1 MiB).</summary>
    public const long MinLparMemoryBytes = CecLayout.MinLparMemory;

    /// <summary>The most memory an LPAR can have, in bytes.</summary>
    public const long MaxLparMemoryBytes = CecLayout.MaxLparMemory;

    /// <summary>The first reserved CHID: 0xFF00..0xFFFE belong to virtio-ism, 0xFFFF to loopback.</summary>
    public const ushort FirstReservedChid = CecDefinitionRules.FirstReservedChid;

    internal static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>
    /// Builds a CEC: <paramref name="lparCount"/> LPARs named lpar1.., each with <paramref name="functionsPerLpar"/>
    /// functions spread round-robin over <paramref name="chids"/>; the PNETID of a CHID is the one at the same
    /// position in <paramref name="pnetids"/> (or NET1.. when not given).
    /// </summary>
    public static CecDefinition Build(
        string name, int lparCount, int functionsPerLpar, IReadOnlyList<ushort> chids, IReadOnlyList<string>? pnetids,
        long memoryBytesPerLpar, int seed = 0)
    {
        Validate(lparCount, functionsPerLpar, chids, pnetids, memoryBytesPerLpar);
        var random = seed == 0 ? new Random() : new Random(seed);
        var lpars = new List<LparDefinition>();
        var functions = new List<FunctionDefinition>();
        var gids = new HashSet<ulong>();
        var fid = 0x10u;
        for (var l = 0; l < lparCount; l++)
        {
            var lparName = $"lpar{l + 1}";
            lpars.Add(new LparDefinition(lparName, memoryBytesPerLpar));
            for (var f = 0; f < functionsPerLpar; f++)
            {
                var chidIndex = f % chids.Count;
                ulong gid;
                do
                {
                    // GIDs look like firmware-assigned 64-bit identifiers; the top byte keeps them visibly non-zero.
                    gid = 0x1000_0000_0000_0000UL | ((ulong)random.NextInt64() & 0x0FFF_FFFF_FFFF_FFFFUL);
                }
                while (!gids.Add(gid));

                var pnetid = pnetids is { Count: > 0 } ? pnetids[chidIndex % pnetids.Count] : $"NET{chidIndex + 1}";
                functions.Add(new FunctionDefinition(fid++, lparName, chids[chidIndex], gid, pnetid.ToUpperInvariant(), (ushort)(f + 1)));
            }
        }

        var definition = new CecDefinition(name, lpars, functions);
        if (CecDefinitionRules.FirstProblem(definition) is { } problem)
        {
            throw new ArgumentException($"invalid CEC definition: {problem}");
        }

        return definition;
    }

    /// <summary>
    /// Whether a PNETID as an operator types it is accepted: 1..16 ASCII letters or digits (lower case is stored
    /// upper case, as Linux SMC does).
    /// </summary>
    public static bool IsPnetid(string? pnetid) => CecDefinitionRules.IsPnetid(pnetid?.ToUpperInvariant());

    /// <summary>Whether <paramref name="name"/> is accepted as an LPAR name.</summary>
    public static bool IsLparName(string? name) => CecDefinitionRules.IsLparName(name);

    /// <summary>A definition read from <c>cec.json</c> is checked as it is read, so no CEC is opened with one the emulator cannot hold.</summary>
    void IJsonOnDeserialized.OnDeserialized()
    {
        // Another format version is reported as such by the reader, not as a field it does not understand.
        if (Version == FormatVersion && CecDefinitionRules.FirstProblem(this) is { } problem)
        {
            throw new JsonException(problem);
        }
    }

    private static void Validate(
        int lparCount, int functionsPerLpar, IReadOnlyList<ushort> chids, IReadOnlyList<string>? pnetids, long memory)
    {
        if (lparCount is < 1 or > CecLayout.MaxLpars)
        {
            throw new ArgumentOutOfRangeException(nameof(lparCount), lparCount, $"LPARs must be 1..{CecLayout.MaxLpars}");
        }

        // In long: lparCount × functionsPerLpar must not wrap around into an accepted count.
        if (functionsPerLpar < 1 || (long)lparCount * functionsPerLpar > CecLayout.MaxFunctions)
        {
            throw new ArgumentOutOfRangeException(
                nameof(functionsPerLpar), functionsPerLpar, $"functions per LPAR must be at least 1 and LPARs × functions at most {CecLayout.MaxFunctions}");
        }

        if (chids.Count == 0)
        {
            throw new ArgumentException("at least one CHID is needed", nameof(chids));
        }

        foreach (var chid in chids)
        {
            if (chid >= CecDefinitionRules.FirstReservedChid)
            {
                throw new ArgumentException($"CHID 0x{chid:x4} is reserved; accepted: {CecDefinitionRules.AcceptedChids}", nameof(chids));
            }
        }

        foreach (var pnetid in pnetids ?? [])
        {
            if (!IsPnetid(pnetid))
            {
                throw new ArgumentException($"PNETID '{pnetid}' is not accepted; accepted: 1..16 ASCII letters or digits", nameof(pnetids));
            }
        }

        if (!CecDefinitionRules.IsMemorySize(memory))
        {
            throw new ArgumentOutOfRangeException(
                nameof(memory), memory,
                $"LPAR memory must be a multiple of 1 MiB between {CecLayout.MinLparMemory >> 20} MiB and {CecLayout.MaxLparMemory >> 20} MiB");
        }
    }
}
