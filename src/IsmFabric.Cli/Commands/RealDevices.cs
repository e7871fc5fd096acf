using IsmFabric.Ism;
using IsmFabric.Vfio;

namespace IsmFabric.Cli.Commands;

/// <summary>The ISM functions of this LPAR as sysfs shows them (vendor 0x1014, device 0x04ed).</summary>
internal static class RealDevices
{
    internal static List<IsmDeviceEntry> Scan(string sysfsRoot)
    {
        var scanner = new SysfsPciScanner(sysfsRoot);
        if (!Directory.Exists(scanner.DevicesDirectory))
        {
            throw new DirectoryNotFoundException($"{scanner.DevicesDirectory} does not exist: this is not a Linux system with PCI, or --sysfs points elsewhere");
        }

        return scanner.FindFunctions(IsmPciIds.Vendor, IsmPciIds.Device)
            .Select(f => new IsmDeviceEntry(
                f.Address.ToString(), "sysfs", f.FunctionId, f.Pchid, null, f.Pnetid ?? "",
                f.Driver is null ? "unbound" : $"bound to {f.Driver}{(f.VfioDevice is null ? "" : $" ({f.VfioDevice})")}",
                f.IommuGroup))
            .ToList();
    }
}
