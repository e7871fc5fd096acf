using System.Globalization;

namespace IsmFabric.Vfio;

/// <summary>
/// Reads PCI functions from sysfs (<c>bus/pci/devices</c> under a configurable root): identity, zPCI attributes,
/// utility string and PNETIDs, bound driver, IOMMU group and VFIO cdev node, and whether an IOMMU group can be used
/// through VFIO. Knows nothing of ISM: the caller passes the vendor and device ids it wants.
/// </summary>
public sealed class SysfsPciScanner
{
    /// <summary>Creates a scanner over sysfs mounted at <paramref name="sysfsRoot"/> ("/sys" on a real system).</summary>
    public SysfsPciScanner(string sysfsRoot = "/sys")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sysfsRoot);
        SysfsRoot = sysfsRoot;
    }

    /// <summary>Where sysfs is mounted.</summary>
    public string SysfsRoot { get; }

    /// <summary>The directory holding one entry per PCI function.</summary>
    public string DevicesDirectory => Path.Combine(SysfsRoot, "bus", "pci", "devices");

    /// <summary>The sysfs directory of one function.</summary>
    public string DevicePath(PciAddress address) => Path.Combine(DevicesDirectory, address.ToString());

    /// <summary>Every function whose <c>vendor</c> and <c>device</c> match, in address order, with its zPCI attributes.</summary>
    public IReadOnlyList<ZpciFunctionInfo> FindFunctions(ushort vendor, ushort device)
    {
        if (!Directory.Exists(DevicesDirectory))
        {
            throw SysfsFormatException.MissingFile(DevicesDirectory);
        }

        var found = new List<ZpciFunctionInfo>();
        foreach (var entry in Directory.EnumerateFileSystemEntries(DevicesDirectory).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileName(entry);
            if (!PciAddress.TryParse(name, out var address))
            {
                throw new SysfsFormatException(entry, "the entry name is not a PCI address (DDDD:BB:dd.f)");
            }

            if (ReadHex16(entry, "vendor") == vendor && ReadHex16(entry, "device") == device)
            {
                found.Add(ReadFunction(address));
            }
        }

        return found;
    }

    /// <summary>Reads one function: identity, zPCI attributes, utility string, driver, IOMMU group and cdev node.</summary>
    public ZpciFunctionInfo ReadFunction(PciAddress address)
    {
        var path = RequireDevice(address);
        byte[]? util = null;
        IReadOnlyList<string> pnetids = [];
        var utilPath = Path.Combine(path, "util_string");

        // The kernel hides util_string when the function has none (zpci_dev_attr_is_visible).
        if (File.Exists(utilPath))
        {
            util = SysfsFile.ReadBytes(utilPath);
            try
            {
                pnetids = PnetId.Decode(util);
            }
            catch (FormatException e)
            {
                throw new SysfsFormatException(utilPath, e.Message);
            }
        }

        return new ZpciFunctionInfo(
            address,
            ReadHex16(path, "vendor"),
            ReadHex16(path, "device"),
            (uint)SysfsFile.ReadHex(Path.Combine(path, "function_id"), 32),
            ReadHex16(path, "pchid"),
            (uint)SysfsFile.ReadHex(Path.Combine(path, "uid"), 32),
            ReadHex16(path, "vfn"),
            (byte)SysfsFile.ReadHex(Path.Combine(path, "pft"), 8),
            util,
            pnetids,
            ReadDriver(address),
            ReadIommuGroup(address),
            ReadVfioDevice(address));
    }

    /// <summary>The driver the function is bound to, or null.</summary>
    public string? ReadDriver(PciAddress address) => SysfsFile.ReadLinkName(Path.Combine(RequireDevice(address), "driver"));

    /// <summary>The function's IOMMU group number, or null when it has none (IOMMU off).</summary>
    public int? ReadIommuGroup(PciAddress address)
    {
        var link = Path.Combine(RequireDevice(address), "iommu_group");
        var name = SysfsFile.ReadLinkName(link);
        if (name is null)
        {
            return null;
        }

        return int.TryParse(name, NumberStyles.None, CultureInfo.InvariantCulture, out var group)
            ? group
            : throw new SysfsFormatException(link, $"links to '{name}', expected an IOMMU group number");
    }

    /// <summary>The VFIO cdev name ("vfio0") under <c>vfio-dev/</c>, or null when the function has none.</summary>
    public string? ReadVfioDevice(PciAddress address)
    {
        var directory = Path.Combine(RequireDevice(address), "vfio-dev");
        if (!Directory.Exists(directory))
        {
            return null;
        }

        var nodes = Directory.EnumerateFileSystemEntries(directory, "vfio*")
            .Select(Path.GetFileName)
            .Where(n => n!.Length > 4 && n[4..].All(char.IsAsciiDigit))
            .ToList();
        return nodes.Count switch
        {
            0 => null,
            1 => nodes[0],
            _ => throw new SysfsFormatException(directory, $"holds {nodes.Count} VFIO nodes ({string.Join(", ", nodes)}), expected one"),
        };
    }

    /// <summary>The devices of IOMMU group <paramref name="group"/> and their drivers, in name order.</summary>
    public IReadOnlyList<IommuGroupMember> ReadIommuGroupMembers(int group)
    {
        var directory = IommuGroupDevicesPath(group);
        if (!Directory.Exists(directory))
        {
            throw SysfsFormatException.MissingFile(directory);
        }

        return Directory.EnumerateFileSystemEntries(directory)
            .Order(StringComparer.Ordinal)
            .Select(entry => new IommuGroupMember(Path.GetFileName(entry), SysfsFile.ReadLinkName(Path.Combine(entry, "driver"))))
            .ToList();
    }

    /// <summary>
    /// Checks from sysfs that the function's IOMMU group is usable through VFIO: every device in it bound to one of
    /// <paramref name="vfioDrivers"/> (vfio-pci, ism_vfio_pci by default) or to no driver. Throws
    /// <see cref="VfioPermissionDeniedException"/> naming each offending device and its driver.
    /// </summary>
    public void EnsureIommuGroupViable(PciAddress address, IReadOnlyList<string>? vfioDrivers = null)
    {
        vfioDrivers ??= new VfioOpenOptions().VfioDrivers;
        var group = ReadIommuGroup(address)
            ?? throw VfioErrors.FromErrno(
                Errno.ENODEV,
                $"check the IOMMU group of {address}",
                $"{Path.Combine(DevicePath(address), "iommu_group")} does not exist: the IOMMU is off or the function is not behind one");
        var offenders = ReadIommuGroupMembers(group)
            .Where(m => m.Driver is not null && !vfioDrivers.Contains(m.Driver, StringComparer.Ordinal))
            .ToList();
        if (offenders.Count > 0)
        {
            throw VfioErrors.FromErrno(
                Errno.EPERM,
                $"check IOMMU group {group} of {address}",
                $"{string.Join(", ", offenders.Select(m => $"{m.Device} is bound to {m.Driver}"))}; every device in "
                + $"{IommuGroupDevicesPath(group)} must be bound to {string.Join(" or ", vfioDrivers)}, or to no driver");
        }
    }

    /// <summary>A one-line account of why a function's group may be unusable, for error messages; never throws.</summary>
    internal string ExplainIommuGroup(PciAddress address, IReadOnlyList<string> vfioDrivers)
    {
        try
        {
            var driver = ReadDriver(address);
            var bound = driver is null
                ? $"{address} is bound to no driver"
                : $"{address} is bound to {driver}";
            if (driver is null || !vfioDrivers.Contains(driver, StringComparer.Ordinal))
            {
                bound += $", not to {string.Join(" or ", vfioDrivers)} (bind it with SysfsDriverBinder.BindToVfio)";
            }

            try
            {
                EnsureIommuGroupViable(address, vfioDrivers);
                return bound;
            }
            catch (VfioException e)
            {
                return $"{bound}; {e.Message}";
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"sysfs could not tell why ({e.Message})";
        }
    }

    private string IommuGroupDevicesPath(int group) =>
        Path.Combine(SysfsRoot, "kernel", "iommu_groups", group.ToString(CultureInfo.InvariantCulture), "devices");

    private string RequireDevice(PciAddress address)
    {
        var path = DevicePath(address);
        return Directory.Exists(path)
            ? path
            : throw VfioErrors.FromErrno(Errno.ENODEV, $"read {address} from sysfs", $"no such PCI function: {path} does not exist");
    }

    private static ushort ReadHex16(string devicePath, string attribute) =>
        (ushort)SysfsFile.ReadHex(Path.Combine(devicePath, attribute), 16);
}
