namespace IsmFabric.Vfio;

/// <summary>How <see cref="KernelVfio.Open(PciAddress, VfioOpenOptions)"/> finds and opens a device. The defaults fit a real LPAR.</summary>
public sealed record VfioOpenOptions
{
    /// <summary>The flow to use; <see cref="VfioOpenMode.Auto"/> by default.</summary>
    public VfioOpenMode Mode { get; init; } = VfioOpenMode.Auto;

    /// <summary>Where sysfs is mounted; "/sys" by default (tests point it at a fake tree).</summary>
    public string SysfsRoot { get; init; } = "/sys";

    /// <summary>Where the device nodes live; "/dev" by default.</summary>
    public string DevRoot { get; init; } = "/dev";

    /// <summary>
    /// Drivers a device sharing the IOMMU group may be bound to without making it unusable (devices with no driver
    /// are always fine); used to explain a non-viable group.
    /// </summary>
    public IReadOnlyList<string> VfioDrivers { get; init; } = ["vfio-pci", "ism_vfio_pci"];

    /// <summary>Throws <see cref="ArgumentException"/> naming the setting and the accepted values when one is invalid.</summary>
    public void Validate()
    {
        if (!Enum.IsDefined(Mode))
        {
            throw new ArgumentException($"{nameof(Mode)} is {(int)Mode}; accepted values: Auto, Legacy, Cdev", nameof(Mode));
        }

        if (string.IsNullOrWhiteSpace(SysfsRoot) || !Path.IsPathRooted(SysfsRoot))
        {
            throw new ArgumentException($"{nameof(SysfsRoot)} is '{SysfsRoot}'; it must be an absolute path such as /sys", nameof(SysfsRoot));
        }

        if (string.IsNullOrWhiteSpace(DevRoot) || !Path.IsPathRooted(DevRoot))
        {
            throw new ArgumentException($"{nameof(DevRoot)} is '{DevRoot}'; it must be an absolute path such as /dev", nameof(DevRoot));
        }

        if (VfioDrivers is null || VfioDrivers.Count == 0 || VfioDrivers.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"{nameof(VfioDrivers)} must name at least one driver, such as ism_vfio_pci", nameof(VfioDrivers));
        }
    }
}
