using System.Globalization;
using System.Text;

namespace IsmFabric.Vfio;

/// <summary>Reading and writing sysfs attributes, with errors that name the file.</summary>
internal static unsafe class SysfsFile
{
    private const int QuoteLimit = 40;

    /// <summary>The text of an attribute without its trailing newline.</summary>
    internal static string ReadText(string path)
    {
        try
        {
            return File.ReadAllText(path).TrimEnd('\n');
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw SysfsFormatException.MissingFile(path);
        }
    }

    /// <summary>An attribute the kernel prints as hex ("0x1014"); the value must fit in <paramref name="bits"/>.</summary>
    internal static ulong ReadHex(string path, int bits)
    {
        var text = ReadText(path).Trim();
        var digits = text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) ? text[2..] : text;
        if (digits.Length == 0
            || digits.Length > 16
            || !ulong.TryParse(digits, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw new SysfsFormatException(path, $"expected a hex number, found '{Quote(text)}'");
        }

        if (bits < 64 && value >> bits != 0)
        {
            throw new SysfsFormatException(path, $"{text} does not fit in {bits} bits");
        }

        return value;
    }

    /// <summary>The raw bytes of a binary attribute.</summary>
    internal static byte[] ReadBytes(string path)
    {
        try
        {
            return File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw SysfsFormatException.MissingFile(path);
        }
    }

    /// <summary>The basename of the symbolic link at <paramref name="path"/>, or null when nothing is there.</summary>
    internal static string? ReadLinkName(string path)
    {
        var target = new FileInfo(path).LinkTarget;
        if (target is null)
        {
            if (File.Exists(path) || Directory.Exists(path))
            {
                throw new SysfsFormatException(path, "expected a symbolic link");
            }

            return null;
        }

        var name = Path.GetFileName(target.TrimEnd('/'));
        return name.Length > 0 ? name : throw new SysfsFormatException(path, $"links to '{Quote(target)}', which has no final component");
    }

    /// <summary>
    /// Writes <paramref name="value"/> in a single write(2), as sysfs store methods expect; throws the typed VFIO
    /// exception for the errno (EINVAL for a driver that refuses, ENODEV, EACCES without root, …).
    /// </summary>
    internal static void Write(string path, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        using var handle = Interop.open(path, Interop.O_WRONLY | Interop.O_CLOEXEC, 0);
        if (handle.IsInvalid)
        {
            Interop.ThrowForLastError($"open {path} for writing");
        }

        fixed (byte* p = bytes)
        {
            nint written;
            do
            {
                written = Interop.write(handle, p, (nuint)bytes.Length);
            }
            while (written < 0 && Interop.LastErrno == Errno.EINTR);

            if (written < 0)
            {
                Interop.ThrowForLastError($"write '{Quote(value.TrimEnd('\n'))}' to {path}");
            }

            if (written != bytes.Length)
            {
                throw VfioErrors.FromErrno(Errno.EIO, $"write '{Quote(value.TrimEnd('\n'))}' to {path}", $"{written} of {bytes.Length} bytes written");
            }
        }
    }

    private static string Quote(string text) => text.Length <= QuoteLimit ? text : text[..QuoteLimit] + "…";
}
