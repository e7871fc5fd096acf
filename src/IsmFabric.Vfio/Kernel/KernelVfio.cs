namespace IsmFabric.Vfio;

/// <summary>
/// Opens PCI functions through the Linux kernel's VFIO: <c>KernelVfio.Open(PciAddress.Parse("0001:00:00.0"))</c>.
/// The function must already be bound to a VFIO driver (see <see cref="SysfsDriverBinder"/>).
/// </summary>
public static class KernelVfio
{
    /// <summary>
    /// Opens the function at <paramref name="address"/> with the flow chosen by <paramref name="options"/>
    /// (<see cref="VfioOpenMode.Auto"/> by default). Errors name the path or ioctl that failed and what to check.
    /// </summary>
    public static KernelVfioDevice Open(PciAddress address, VfioOpenOptions? options = null) =>
        Open(address, options ?? new VfioOpenOptions(), LinuxVfioKernel.Instance, AnonymousHostMemory.Instance);

    /// <summary>Opens through a given kernel and host memory (tests pass fakes).</summary>
    internal static KernelVfioDevice Open(PciAddress address, VfioOpenOptions options, IVfioKernel kernel, IHostMemory memory)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var scanner = new SysfsPciScanner(options.SysfsRoot);
        var name = address.ToString();
        var sysDevice = scanner.DevicePath(address);
        if (!Directory.Exists(sysDevice))
        {
            throw VfioErrors.FromErrno(Errno.ENODEV, $"open {name}", $"no such PCI function: {sysDevice} does not exist");
        }

        var vfioDev = scanner.ReadVfioDevice(address);
        var iommuPath = Path.Combine(options.DevRoot, "iommu");
        var mode = options.Mode switch
        {
            VfioOpenMode.Auto => vfioDev is not null && File.Exists(iommuPath) ? VfioOpenMode.Cdev : VfioOpenMode.Legacy,
            var explicitMode => explicitMode,
        };

        return mode == VfioOpenMode.Cdev
            ? OpenCdev(address, options, kernel, memory, scanner, vfioDev, iommuPath)
            : OpenLegacy(address, options, kernel, memory, scanner);
    }

    private static KernelVfioDevice OpenLegacy(
        PciAddress address, VfioOpenOptions options, IVfioKernel kernel, IHostMemory memory, SysfsPciScanner scanner)
    {
        var name = address.ToString();
        var group = scanner.ReadIommuGroup(address)
            ?? throw VfioErrors.FromErrno(
                Errno.ENODEV,
                $"open {name}",
                $"{Path.Combine(scanner.DevicePath(address), "iommu_group")} does not exist: the function is not behind an IOMMU");
        var container = VfioContainer.Open(
            kernel,
            Path.Combine(options.DevRoot, "vfio", "vfio"),
            Path.Combine(options.DevRoot, "vfio", group.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            () => scanner.ExplainIommuGroup(address, options.VfioDrivers));
        IVfioFile? device = null;
        try
        {
            device = container.OpenDevice(kernel, name);
            return new KernelVfioDevice(name, VfioOpenMode.Legacy, device, container, memory, Environment.SystemPageSize);
        }
        catch
        {
            device?.Dispose();
            container.Dispose();
            throw;
        }
    }

    private static KernelVfioDevice OpenCdev(
        PciAddress address,
        VfioOpenOptions options,
        IVfioKernel kernel,
        IHostMemory memory,
        SysfsPciScanner scanner,
        string? vfioDev,
        string iommuPath)
    {
        var name = address.ToString();
        if (vfioDev is null)
        {
            throw VfioErrors.FromErrno(
                Errno.ENODEV,
                $"open {name}",
                $"{Path.Combine(scanner.DevicePath(address), "vfio-dev")} has no vfioN node: {scanner.ExplainIommuGroup(address, options.VfioDrivers)}"
                + " (or the kernel lacks CONFIG_VFIO_DEVICE_CDEV)");
        }

        var device = kernel.OpenOrThrow(Path.Combine(options.DevRoot, "vfio", "devices", vfioDev), errno => errno switch
        {
            Errno.ENOENT => "the device node is missing although sysfs lists it (is devtmpfs mounted on the dev root?)",
            Errno.EBUSY => "another process holds the device open",
            _ => null,
        });
        IDmaMapper? mapper = null;
        try
        {
            mapper = IommufdIoas.Attach(kernel, iommuPath, device);
            return new KernelVfioDevice(name, VfioOpenMode.Cdev, device, mapper, memory, Environment.SystemPageSize);
        }
        catch
        {
            // The device fd goes first: closing it unbinds the device from the iommufd.
            device.Dispose();
            mapper?.Dispose();
            throw;
        }
    }
}
