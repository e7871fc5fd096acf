using System.Text.RegularExpressions;

namespace IsmFabric.Emulation;

/// <summary>
/// What a <see cref="CecDefinition"/> must satisfy before a CEC is created from it or opened with it: what the
/// shared state file can hold (<see cref="CecLayout"/>), what the LPAR files may be named, and the ISM rules for
/// CHIDs and PNETIDs. Each problem names the field as it is spelled in <c>cec.json</c> and the accepted values.
/// </summary>
internal static partial class CecDefinitionRules
{
    /// <summary>CHIDs from here up are reserved: 0xFF00..0xFFFE virtio-ism, 0xFFFF loopback (spec §4, Chid.IsReserved).</summary>
    internal const ushort FirstReservedChid = 0xFF00;

    /// <summary>A PNETID is one 16-byte entry of the utility string (spec §4; SMC_MAX_PNETID_LEN).</summary>
    internal const int MaxPnetidLength = 16;

    internal const string AcceptedLparName = "1..32 ASCII letters, digits, '.', '_' or '-', starting with a letter or digit";

    internal const string AcceptedPnetid = "1..16 upper-case letters A-Z or digits 0-9";

    internal static string AcceptedChids => $"0x0000..0x{FirstReservedChid - 1:x4} (0xff00..0xfffe are reserved for virtio-ism, 0xffff for loopback)";

    internal static string AcceptedMemory =>
        $"a multiple of 1 MiB ({CecLayout.MaxDmbLength}) from {CecLayout.MinLparMemory >> 20} MiB to {CecLayout.MaxLparMemory >> 20} MiB";

    /// <summary>The first thing wrong with <paramref name="definition"/>, as "field: problem; accepted: …", or null.</summary>
    internal static string? FirstProblem(CecDefinition definition) =>
        NameProblem(definition.Name) ?? LparsProblem(definition.Lpars) ?? FunctionsProblem(definition.Functions, definition.Lpars!);

    internal static bool IsLparName(string? name) => name is not null && LparNamePattern().IsMatch(name);

    /// <summary>
    /// The rule of Linux SMC (smc_pnetid_valid, net/smc/smc_pnet.c): at most 16 characters, A-Z and 0-9 (lower case
    /// is folded to upper case before it is stored, so a stored PNETID has none).
    /// </summary>
    internal static bool IsPnetid(string? pnetid) =>
        pnetid is { Length: > 0 and <= MaxPnetidLength } && pnetid.All(c => char.IsAsciiLetterUpper(c) || char.IsAsciiDigit(c));

    internal static bool IsMemorySize(long bytes) =>
        bytes >= CecLayout.MinLparMemory && bytes <= CecLayout.MaxLparMemory && bytes % CecLayout.MaxDmbLength == 0;

    private static string? NameProblem(string? name)
    {
        if (string.IsNullOrWhiteSpace(name) || name.Length > 64 || name.Any(char.IsControl))
        {
            return $"name: {Quote(name)} is not accepted; accepted: 1..64 printable characters";
        }

        return null;
    }

    private static string? LparsProblem(IReadOnlyList<LparDefinition?>? lpars)
    {
        if (lpars is null)
        {
            return $"lpars: missing; accepted: 1..{CecLayout.MaxLpars} LPARs";
        }

        if (lpars.Count is 0 or > CecLayout.MaxLpars)
        {
            return $"lpars: {lpars.Count} LPARs; accepted: 1..{CecLayout.MaxLpars}";
        }

        var names = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < lpars.Count; i++)
        {
            var lpar = lpars[i];
            if (lpar is null)
            {
                return $"lpars[{i}]: missing; accepted: an LPAR with a name and memory_bytes";
            }

            if (!IsLparName(lpar.Name))
            {
                return $"lpars[{i}].name: {Quote(lpar.Name)} is not accepted; accepted: {AcceptedLparName}";
            }

            if (!names.TryAdd(lpar.Name, i))
            {
                return $"lpars[{i}].name: '{lpar.Name}' is also the name of lpars[{names[lpar.Name]}]; accepted: a name no other LPAR has";
            }

            if (!IsMemorySize(lpar.MemoryBytes))
            {
                return $"lpars[{i}].memory_bytes: {lpar.MemoryBytes} is not accepted; accepted: {AcceptedMemory}";
            }
        }

        return null;
    }

    private static string? FunctionsProblem(IReadOnlyList<FunctionDefinition?>? functions, IReadOnlyList<LparDefinition?> lpars)
    {
        if (functions is null)
        {
            return $"functions: missing; accepted: 1..{CecLayout.MaxFunctions} functions";
        }

        if (functions.Count is 0 or > CecLayout.MaxFunctions)
        {
            return $"functions: {functions.Count} functions; accepted: 1..{CecLayout.MaxFunctions} in all";
        }

        var lparNames = lpars.Select(l => l!.Name).ToList();
        var fids = new Dictionary<uint, int>();
        var gids = new Dictionary<ulong, int>();
        for (var i = 0; i < functions.Count; i++)
        {
            var f = functions[i];
            if (f is null)
            {
                return $"functions[{i}]: missing; accepted: a function with fid, lpar, chid, gid, pnetid and vfn";
            }

            if (f.Lpar is null || !lparNames.Contains(f.Lpar, StringComparer.Ordinal))
            {
                return $"functions[{i}].lpar: {Quote(f.Lpar)} is not an LPAR of this CEC; accepted: {string.Join(", ", lparNames)}";
            }

            if (!fids.TryAdd(f.Fid, i))
            {
                return $"functions[{i}].fid: 0x{f.Fid:x} is also the FID of functions[{fids[f.Fid]}]; accepted: a FID no other function has";
            }

            if (f.Gid == 0)
            {
                return $"functions[{i}].gid: 0 is not a GID; accepted: a non-zero 64-bit number";
            }

            if (!gids.TryAdd(f.Gid, i))
            {
                return $"functions[{i}].gid: 0x{f.Gid:x16} is also the GID of functions[{gids[f.Gid]}]; accepted: a GID no other function has";
            }

            if (f.Chid >= FirstReservedChid)
            {
                return $"functions[{i}].chid: 0x{f.Chid:x4} is reserved; accepted: {AcceptedChids}";
            }

            if (!IsPnetid(f.Pnetid))
            {
                return $"functions[{i}].pnetid: {Quote(f.Pnetid)} is not accepted; accepted: {AcceptedPnetid}";
            }
        }

        return null;
    }

    private static string Quote(string? text) => text is null ? "missing" : $"'{text}'";

    // The name is a file name under lpars/ and fills at most the 32 ASCII bytes of the state file's LPAR entry.
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$")]
    private static partial Regex LparNamePattern();
}
