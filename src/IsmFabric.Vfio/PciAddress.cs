using System.Globalization;

namespace IsmFabric.Vfio;

/// <summary>A PCI address as sysfs spells it: domain:bus:device.function ("0000:00:00.0").</summary>
/// <param name="Domain">PCI domain (zPCI uses the UID or FID here).</param>
/// <param name="Bus">Bus number.</param>
/// <param name="Device">Device number (0..31).</param>
/// <param name="Function">Function number (0..7).</param>
public readonly record struct PciAddress(uint Domain, byte Bus, byte Device, byte Function)
{
    /// <summary>Parses "DDDD:BB:dd.f"; throws <see cref="FormatException"/> naming the text on anything else.</summary>
    public static PciAddress Parse(string text)
    {
        if (TryParse(text, out var address))
        {
            return address;
        }

        throw new FormatException($"'{text}' is not a PCI address of the form DDDD:BB:dd.f");
    }

    /// <summary>Parses "DDDD:BB:dd.f" without throwing.</summary>
    public static bool TryParse(string? text, out PciAddress address)
    {
        address = default;
        if (text is null)
        {
            return false;
        }

        var parts = text.Split(':');
        if (parts.Length != 3)
        {
            return false;
        }

        var devFn = parts[2].Split('.');
        if (devFn.Length != 2
            || parts[0].Length is < 4 or > 8
            || parts[1].Length != 2
            || devFn[0].Length != 2
            || devFn[1].Length != 1
            || !uint.TryParse(parts[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var domain)
            || !byte.TryParse(parts[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var bus)
            || !byte.TryParse(devFn[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var dev)
            || !byte.TryParse(devFn[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var fn)
            || dev > 31 || fn > 7)
        {
            return false;
        }

        address = new PciAddress(domain, bus, dev, fn);
        return true;
    }

    /// <summary>The sysfs spelling, "0000:00:00.0".</summary>
    public override string ToString() => $"{Domain:x4}:{Bus:x2}:{Device:x2}.{Function:x}";
}
