using System.Globalization;

namespace IsmFabric.Cli;

/// <summary>Parses the numbers operators type for FIDs, CHIDs and codes: "0x1f" as hex, "31" as decimal.</summary>
internal static class HexNumber
{
    internal static ulong Parse(string text, string what, ulong max)
    {
        var t = text.Trim();
        var ok = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(t[2..], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            : ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        if (!ok || value > max)
        {
            throw new FormatException($"{what} '{text}' is not a number from 0 to 0x{max:x} (write hex as 0x…)");
        }

        return value;
    }
}
