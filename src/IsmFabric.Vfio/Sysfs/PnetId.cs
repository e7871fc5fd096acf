namespace IsmFabric.Vfio;

/// <summary>
/// Splits the 64-byte zPCI utility string into the four 16-byte PNETIDs (one per port) and converts them from
/// EBCDIC, trimming trailing EBCDIC blanks and NULs, as arch/s390/net/pnet.c does.
/// </summary>
public static class PnetId
{
    /// <summary>CLP_UTIL_STR_LEN: the size of the utility string.</summary>
    public const int UtilStringLength = 64;

    /// <summary>The size of one PNETID entry.</summary>
    public const int EntryLength = 16;

    /// <summary>
    /// Decodes the four PNETIDs (an unset port is ""). Throws <see cref="FormatException"/> naming the port and
    /// offset when a byte is not a printable EBCDIC character, or when the string is not 64 bytes.
    /// </summary>
    public static IReadOnlyList<string> Decode(ReadOnlySpan<byte> utilString)
    {
        if (utilString.Length != UtilStringLength)
        {
            throw new FormatException($"{utilString.Length} bytes, expected {UtilStringLength}");
        }

        var ids = new string[UtilStringLength / EntryLength];
        for (var port = 0; port < ids.Length; port++)
        {
            var entry = utilString.Slice(port * EntryLength, EntryLength);
            var length = entry.Length;
            while (length > 0 && entry[length - 1] is Ebcdic.Blank or 0)
            {
                length--;
            }

            var chars = new char[length];
            for (var i = 0; i < length; i++)
            {
                chars[i] = Ebcdic.Decode(entry[i]);
                if (chars[i] == '\0')
                {
                    throw new FormatException(
                        $"byte 0x{entry[i]:x2} at offset {(port * EntryLength) + i} (port {port}) is not a printable EBCDIC character");
                }
            }

            ids[port] = new string(chars);
        }

        return ids;
    }

    /// <summary>Encodes up to four PNETIDs into a 64-byte utility string, padding each entry with EBCDIC blanks.</summary>
    public static byte[] Encode(IReadOnlyList<string> pnetids)
    {
        ArgumentNullException.ThrowIfNull(pnetids);
        if (pnetids.Count > UtilStringLength / EntryLength)
        {
            throw new ArgumentException($"at most {UtilStringLength / EntryLength} PNETIDs fit, got {pnetids.Count}", nameof(pnetids));
        }

        var bytes = new byte[UtilStringLength];
        bytes.AsSpan().Fill(Ebcdic.Blank);
        for (var port = 0; port < pnetids.Count; port++)
        {
            var id = pnetids[port];
            if (id.Length > EntryLength)
            {
                throw new ArgumentException($"PNETID '{id}' is longer than {EntryLength} characters", nameof(pnetids));
            }

            for (var i = 0; i < id.Length; i++)
            {
                bytes[(port * EntryLength) + i] = Ebcdic.Encode(id[i]);
            }
        }

        return bytes;
    }
}
