using System.Text;

namespace IsmFabric.Emulation;

/// <summary>Encodes the PNETID of an emulated function into the EBCDIC (code page 037) CLP utility string.</summary>
internal static class Ebcdic
{
    internal const int UtilStringLength = 64;
    internal const int PortLength = 16;

    internal static byte Encode(char c) => c switch
    {
        >= 'A' and <= 'I' => (byte)(0xC1 + (c - 'A')),
        >= 'J' and <= 'R' => (byte)(0xD1 + (c - 'J')),
        >= 'S' and <= 'Z' => (byte)(0xE2 + (c - 'S')),
        >= 'a' and <= 'i' => (byte)(0x81 + (c - 'a')),
        >= 'j' and <= 'r' => (byte)(0x91 + (c - 'j')),
        >= 's' and <= 'z' => (byte)(0xA2 + (c - 's')),
        >= '0' and <= '9' => (byte)(0xF0 + (c - '0')),
        ' ' => 0x40,
        '.' => 0x4B,
        '-' => 0x60,
        '_' => 0x6D,
        _ => throw new ArgumentException($"character '{c}' has no EBCDIC encoding here", nameof(c)),
    };

    /// <summary>The 64-byte utility string: the PNETID in port 0, blank-padded; ports 1..3 empty.</summary>
    internal static byte[] UtilString(string pnetid)
    {
        var bytes = new byte[UtilStringLength];
        bytes.AsSpan(0, PortLength).Fill(0x40);
        for (var i = 0; i < pnetid.Length && i < PortLength; i++)
        {
            bytes[i] = Encode(pnetid[i]);
        }

        return bytes;
    }

    internal static string Ascii(ReadOnlySpan<byte> bytes) => Encoding.ASCII.GetString(bytes).TrimEnd('\0', ' ');
}
