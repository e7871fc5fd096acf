using System.Globalization;

namespace IsmFabric.Cli;

/// <summary>Parses the numbers operators type for FIDs, CHIDs and codes: "0x1f" as hex, "31" as decimal.</summary>
internal static class HexNumber
{
    internal static ulong Parse(string text, string what, ulong max) =>
        TryParse(text, max, out var value) ? value : throw new FormatException($"{what} '{text}' is not a number from 0 to 0x{max:x} (write hex as 0x…)");

    internal static bool TryParse(string text, ulong max, out ulong value)
    {
        var t = text.Trim();
        var ok = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(t[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value)
            : ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        return ok && value <= max;
    }
}
