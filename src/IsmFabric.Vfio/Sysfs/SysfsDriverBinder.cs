namespace IsmFabric.Vfio;

/// <summary>
/// Moves a PCI function between its default driver and a VFIO driver through sysfs, as the kernel's VFIO selftest
/// scripts do: unbind from the current driver, set <c>driver_override</c>, ask <c>drivers_probe</c> to bind. Needs
/// root. The VFIO layer knows nothing of ISM; the ISM variant driver name is only the default.
/// </summary>
public sealed class SysfsDriverBinder
{
    /// <summary>The ISM variant driver's pci_driver name.</summary>
    public const string IsmVfioDriver = "ism_vfio_pci";

    private readonly SysfsPciScanner _scanner;
    private readonly Action<string, string> _write;

    /// <summary>Creates a binder over sysfs mounted at <paramref name="sysfsRoot"/>.</summary>
    public SysfsDriverBinder(string sysfsRoot = "/sys")
        : this(sysfsRoot, SysfsFile.Write)
    {
    }

    /// <summary>Creates a binder whose writes go through <paramref name="write"/> (path, value): tests emulate the kernel there.</summary>
    internal SysfsDriverBinder(string sysfsRoot, Action<string, string> write)
    {
        _scanner = new SysfsPciScanner(sysfsRoot);
        _write = write;
    }

    /// <summary>
    /// Binds the function to <paramref name="vfioDriver"/>: writes the address to <c>driver/unbind</c> when another
    /// driver holds it, the driver name to <c>driver_override</c>, and the address to <c>bus/pci/drivers_probe</c>.
    /// Does nothing when already bound to it. Throws when the function is not bound to it afterwards.
    /// </summary>
    public void BindToVfio(PciAddress address, string vfioDriver = IsmVfioDriver)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(vfioDriver);
        var device = _scanner.DevicePath(address);
        var current = _scanner.ReadDriver(address);
        if (current == vfioDriver)
        {
            return;
        }

        var name = address.ToString();
        if (current is not null)
        {
            _write(Path.Combine(device, "driver", "unbind"), name);
        }

        _write(Path.Combine(device, "driver_override"), vfioDriver);
        _write(DriversProbePath, name);

        var after = _scanner.ReadDriver(address);
        if (after != vfioDriver)
        {
            throw VfioErrors.FromErrno(
                Errno.ENODEV,
                $"bind {name} to {vfioDriver}",
                $"after drivers_probe the function is bound to {after ?? "no driver"}; is the {vfioDriver} module loaded (modprobe {vfioDriver})?");
        }
    }

    /// <summary>
    /// Gives the function back to its default driver: unbinds it, clears <c>driver_override</c> (writes a newline),
    /// and probes again. Returns the driver that took it, or null when none did.
    /// </summary>
    public string? ReleaseToDefaultDriver(PciAddress address)
    {
        var device = _scanner.DevicePath(address);
        var name = address.ToString();
        if (_scanner.ReadDriver(address) is not null)
        {
            _write(Path.Combine(device, "driver", "unbind"), name);
        }

        _write(Path.Combine(device, "driver_override"), "\n");
        _write(DriversProbePath, name);
        return _scanner.ReadDriver(address);
    }

    private string DriversProbePath => Path.Combine(_scanner.SysfsRoot, "bus", "pci", "drivers_probe");
}
