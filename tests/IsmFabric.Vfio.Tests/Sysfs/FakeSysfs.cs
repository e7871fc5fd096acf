using System.Globalization;

namespace IsmFabric.Vfio.Tests;

/// <summary>
/// A sysfs tree in a temporary directory, laid out like the real one: function directories under
/// devices/pci&lt;domain&gt;:00/, linked from bus/pci/devices/; drivers under bus/pci/drivers/ with unbind files;
/// IOMMU groups under kernel/iommu_groups/N/devices/; zPCI attributes as the s390 kernel prints them.
/// </summary>
internal sealed class FakeSysfs : IDisposable
{
    public const ushort IbmVendor = 0x1014;
    public const ushort IsmDevice = 0x04ed;

    public FakeSysfs()
    {
        Root = Directory.CreateTempSubdirectory("ismfabric-sysfs-").FullName;
        Directory.CreateDirectory(Path.Combine(Root, "bus", "pci", "devices"));
        Directory.CreateDirectory(Path.Combine(Root, "bus", "pci", "drivers"));
        File.WriteAllText(DriversProbe, string.Empty);
    }

    public string Root { get; }

    public string DriversProbe => Path.Combine(Root, "bus", "pci", "drivers_probe");

    /// <summary>The real directory of a function (bus/pci/devices/&lt;bdf&gt; links here).</summary>
    public string DevicePath(string bdf) => Path.Combine(Root, "devices", $"pci{bdf[..4]}:00", bdf);

    public string DriverPath(string driver) => Path.Combine(Root, "bus", "pci", "drivers", driver);

    public string GroupDevicesPath(int group) => Path.Combine(Root, "kernel", "iommu_groups", group.ToString(CultureInfo.InvariantCulture), "devices");

    /// <summary>Adds a function with vendor and device ids, optionally zPCI attributes, a driver, an IOMMU group and a cdev.</summary>
    public string AddFunction(
        string bdf,
        ushort vendor,
        ushort device,
        string? driver = null,
        int? group = null,
        bool zpci = true,
        uint functionId = 0x11,
        ushort pchid = 0x07c0,
        string[]? pnetids = null,
        string? vfioDev = null)
    {
        var path = DevicePath(bdf);
        Directory.CreateDirectory(path);
        Directory.CreateSymbolicLink(Path.Combine(Root, "bus", "pci", "devices", bdf), path);
        Write(bdf, "vendor", $"0x{vendor:x4}\n");
        Write(bdf, "device", $"0x{device:x4}\n");
        Write(bdf, "driver_override", "(null)\n");
        if (zpci)
        {
            // The formats of arch/s390/pci/pci_sysfs.c.
            Write(bdf, "function_id", $"0x{functionId:x8}\n");
            Write(bdf, "pchid", $"0x{pchid:x4}\n");
            Write(bdf, "uid", "0x1\n");
            Write(bdf, "vfn", "0x0000\n");
            Write(bdf, "pft", "0x05\n");
            if (pnetids is not null)
            {
                File.WriteAllBytes(Path.Combine(path, "util_string"), PnetId.Encode(pnetids));
            }
        }

        if (driver is not null)
        {
            SetDriver(bdf, driver);
        }

        if (group is { } g)
        {
            Directory.CreateDirectory(GroupDevicesPath(g));
            Directory.CreateSymbolicLink(Path.Combine(path, "iommu_group"), Path.GetDirectoryName(GroupDevicesPath(g))!);
            Directory.CreateSymbolicLink(Path.Combine(GroupDevicesPath(g), bdf), path);
        }

        if (vfioDev is not null)
        {
            Directory.CreateDirectory(Path.Combine(path, "vfio-dev", vfioDev));
        }

        return path;
    }

    /// <summary>Points the function's driver link at <paramref name="driver"/> (creating the driver), or removes it.</summary>
    public void SetDriver(string bdf, string? driver)
    {
        var link = Path.Combine(DevicePath(bdf), "driver");
        if (new FileInfo(link).LinkTarget is not null)
        {
            File.Delete(link);
        }

        if (driver is not null)
        {
            Directory.CreateDirectory(DriverPath(driver));
            var unbind = Path.Combine(DriverPath(driver), "unbind");
            if (!File.Exists(unbind))
            {
                File.WriteAllText(unbind, string.Empty);
            }

            Directory.CreateSymbolicLink(link, DriverPath(driver));
        }
    }

    public void Write(string bdf, string attribute, string text) => File.WriteAllText(Path.Combine(DevicePath(bdf), attribute), text);

    public void Delete(string bdf, string attribute) => File.Delete(Path.Combine(DevicePath(bdf), attribute));

    public void Dispose() => Directory.Delete(Root, recursive: true);
}
