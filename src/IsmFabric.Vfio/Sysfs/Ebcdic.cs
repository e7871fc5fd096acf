namespace IsmFabric.Vfio;

/// <summary>
/// EBCDIC code page 037 for the printable ASCII range, the conversion the kernel applies to the zPCI utility string
/// (EBCASC in arch/s390/net/pnet.c). Letters, digits and space are the same in code page 500.
/// </summary>
internal static class Ebcdic
{
    /// <summary>The EBCDIC blank, which pads PNETIDs.</summary>
    internal const byte Blank = 0x40;

    private static readonly char[] ToAscii = BuildTable();

    /// <summary>The ASCII character for an EBCDIC byte, or '\0' when the byte is not a printable character.</summary>
    internal static char Decode(byte value) => ToAscii[value];

    /// <summary>The EBCDIC byte for a printable ASCII character (for building test data and emulated functions).</summary>
    internal static byte Encode(char value)
    {
        var index = Array.IndexOf(ToAscii, value);
        return value != '\0' && index >= 0
            ? (byte)index
            : throw new ArgumentOutOfRangeException(nameof(value), value, "not a printable ASCII character");
    }

    private static char[] BuildTable()
    {
        var table = new char[256];
        void Run(int start, string chars)
        {
            for (var i = 0; i < chars.Length; i++)
            {
                table[start + i] = chars[i];
            }
        }

        Run(0x40, " ");
        Run(0x4B, ".<(+|");
        Run(0x50, "&");
        Run(0x5A, "!$*);");
        Run(0x60, "-/");
        Run(0x6B, ",%_>?");
        Run(0x79, "`:#@'=\"");
        Run(0x81, "abcdefghi");
        Run(0x91, "jklmnopqr");
        Run(0xA1, "~stuvwxyz");
        Run(0xB0, "^");
        Run(0xBA, "[]");
        Run(0xC0, "{ABCDEFGHI");
        Run(0xD0, "}JKLMNOPQR");
        Run(0xE0, "\\");
        Run(0xE2, "STUVWXYZ");
        Run(0xF0, "0123456789");
        return table;
    }
}
