using System.Globalization;

namespace IsmFabric.Ism;

/// <summary>The 64-bit GID of an ISM function: its address on the fabric.</summary>
/// <param name="Value">The raw GID.</param>
public readonly record struct Gid(ulong Value)
{
    /// <summary>Parses "0x1234…" or plain hex.</summary>
    public static Gid Parse(string text)
    {
        var t = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        return ulong.TryParse(t, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v)
            ? new Gid(v)
            : throw new FormatException($"'{text}' is not a GID (a 64-bit hex number such as 0x1a2b3c4d5e6f7081)");
    }

    /// <summary>"0x" and 16 hex digits.</summary>
    public override string ToString() => $"0x{Value:x16}";
}
