namespace IsmFabric.Ism;

/// <summary>Decodes the PNETIDs in a zPCI utility string: 4 ports × 16 bytes of EBCDIC (code page 037), blank-padded.</summary>
internal static class PnetidDecoder
{
    internal static string Port0(byte[] utilString) => Port(utilString, 0);

    internal static string Port(byte[] utilString, int port)
    {
        if (utilString.Length < (port + 1) * 16)
        {
            return "";
        }

        var chars = new char[16];
        var n = 0;
        foreach (var b in utilString.AsSpan(port * 16, 16))
        {
            chars[n++] = Decode(b);
        }

        return new string(chars, 0, n).TrimEnd(' ', '\0');
    }

    private static char Decode(byte b) => b switch
    {
        >= 0xC1 and <= 0xC9 => (char)('A' + (b - 0xC1)),
        >= 0xD1 and <= 0xD9 => (char)('J' + (b - 0xD1)),
        >= 0xE2 and <= 0xE9 => (char)('S' + (b - 0xE2)),
        >= 0x81 and <= 0x89 => (char)('a' + (b - 0x81)),
        >= 0x91 and <= 0x99 => (char)('j' + (b - 0x91)),
        >= 0xA2 and <= 0xA9 => (char)('s' + (b - 0xA2)),
        >= 0xF0 and <= 0xF9 => (char)('0' + (b - 0xF0)),
        0x40 => ' ',
        0x00 => '\0',
        0x4B => '.',
        0x60 => '-',
        0x6D => '_',
        _ => '?',
    };
}
