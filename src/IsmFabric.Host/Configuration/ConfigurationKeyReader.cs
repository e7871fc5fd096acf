using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace IsmFabric.Host.Configuration;

/// <summary>
/// Reads typed values out of configuration so that every parse failure names its key and the accepted values
/// (the configuration binder's messages name neither).
/// </summary>
internal static class ConfigurationKeyReader
{
    internal static string? String(IConfiguration configuration, string key)
    {
        var value = configuration[key];
        return string.IsNullOrWhiteSpace(value) ? null : value.Trim();
    }

    internal static int Int(IConfiguration configuration, string key, int defaultValue, int min, int max)
    {
        var text = String(configuration, key);
        if (text is null)
        {
            return defaultValue;
        }

        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new NodeConfigurationException(key, $"'{text}' is not a whole number; accepted: {min}..{max}");
        }

        if (value < min || value > max)
        {
            throw new NodeConfigurationException(key, $"{value} is outside {min}..{max}");
        }

        return value;
    }

    internal static bool Bool(IConfiguration configuration, string key, bool defaultValue)
    {
        var text = String(configuration, key);
        if (text is null)
        {
            return defaultValue;
        }

        return bool.TryParse(text, out var value)
            ? value
            : throw new NodeConfigurationException(key, $"'{text}' is not a boolean; accepted: true, false");
    }

    internal static TEnum Enum<TEnum>(IConfiguration configuration, string key, TEnum defaultValue)
        where TEnum : struct, Enum
    {
        var text = String(configuration, key);
        if (text is null)
        {
            return defaultValue;
        }

        // Names only: a number would pass Enum.TryParse whether or not it is defined.
        if (!text.All(char.IsAsciiLetter) || !System.Enum.TryParse<TEnum>(text, ignoreCase: true, out var value))
        {
            throw new NodeConfigurationException(key, $"'{text}' is not accepted; accepted: {string.Join(", ", System.Enum.GetNames<TEnum>())}");
        }

        return value;
    }

    /// <summary>A GID as operators write it: "0x1000…" (hex) or decimal; zero is no GID.</summary>
    internal static ulong Gid(string key, string? text)
    {
        var t = text?.Trim() ?? "";
        var ok = t.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? ulong.TryParse(t.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var gid)
            : ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out gid);
        if (!ok || gid == 0)
        {
            throw new NodeConfigurationException(key, $"'{t}' is not a GID; accepted: a non-zero 64-bit number, hex as 0x…");
        }

        return gid;
    }
}
