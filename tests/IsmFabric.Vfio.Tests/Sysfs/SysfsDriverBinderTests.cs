using Xunit;

namespace IsmFabric.Vfio.Tests;

public sealed class SysfsDriverBinderTests : IDisposable
{
    private const string Bdf = "0000:00:00.0";
    private readonly FakeSysfs _sysfs = new();
    private readonly List<(string Path, string Value)> _writes = [];

    public SysfsDriverBinderTests() =>
        _sysfs.AddFunction(Bdf, FakeSysfs.IbmVendor, FakeSysfs.IsmDevice, driver: "ism", group: 0, pnetids: ["NETA"]);

    public void Dispose() => _sysfs.Dispose();

    [Fact]
    public void Binding_unbinds_sets_driver_override_and_probes_in_that_order()
    {
        Binder(probeBinds: true).BindToVfio(PciAddress.Parse(Bdf));

        Assert.Equal(
            [
                ($"{_sysfs.Root}/bus/pci/devices/{Bdf}/driver/unbind", Bdf),
                ($"{_sysfs.Root}/bus/pci/devices/{Bdf}/driver_override", "ism_vfio_pci"),
                ($"{_sysfs.Root}/bus/pci/drivers_probe", Bdf),
            ],
            _writes);
        Assert.Equal("ism_vfio_pci", File.ReadAllText(Path.Combine(_sysfs.DevicePath(Bdf), "driver_override")));
        Assert.Equal(Bdf, File.ReadAllText(Path.Combine(_sysfs.DriverPath("ism"), "unbind")));
        Assert.Equal(Bdf, File.ReadAllText(_sysfs.DriversProbe));
    }

    [Fact]
    public void A_function_without_a_driver_is_not_unbound_first()
    {
        _sysfs.SetDriver(Bdf, null);

        Binder(probeBinds: true).BindToVfio(PciAddress.Parse(Bdf), "vfio-pci");

        Assert.Equal(["driver_override", "drivers_probe"], _writes.Select(w => Path.GetFileName(w.Path)));
        Assert.Equal("vfio-pci", _writes[0].Value);
    }

    [Fact]
    public void A_function_already_bound_to_the_vfio_driver_is_left_alone()
    {
        _sysfs.SetDriver(Bdf, "ism_vfio_pci");

        Binder(probeBinds: true).BindToVfio(PciAddress.Parse(Bdf));

        Assert.Empty(_writes);
    }

    [Fact]
    public void When_nothing_binds_after_the_probe_the_error_says_so_and_suggests_the_module()
    {
        var e = Assert.Throws<VfioDeviceUnavailableException>(() => Binder(probeBinds: false).BindToVfio(PciAddress.Parse(Bdf)));

        Assert.Contains("after drivers_probe the function is bound to no driver; is the ism_vfio_pci module loaded (modprobe ism_vfio_pci)?", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Releasing_unbinds_clears_driver_override_with_a_newline_and_probes_again()
    {
        _sysfs.SetDriver(Bdf, "ism_vfio_pci");
        _sysfs.Write(Bdf, "driver_override", "ism_vfio_pci\n");

        var driver = Binder(probeBinds: true).ReleaseToDefaultDriver(PciAddress.Parse(Bdf));

        Assert.Equal(
            [
                ($"{_sysfs.Root}/bus/pci/devices/{Bdf}/driver/unbind", Bdf),
                ($"{_sysfs.Root}/bus/pci/devices/{Bdf}/driver_override", "\n"),
                ($"{_sysfs.Root}/bus/pci/drivers_probe", Bdf),
            ],
            _writes);
        Assert.Equal("ism", driver);
        Assert.Equal(Bdf, File.ReadAllText(Path.Combine(_sysfs.DriverPath("ism_vfio_pci"), "unbind")));
    }

    [Fact]
    public void The_real_writer_reports_a_missing_sysfs_file_with_its_path()
    {
        File.Delete(_sysfs.DriversProbe);
        _sysfs.SetDriver(Bdf, null);

        var e = Assert.Throws<VfioException>(() => new SysfsDriverBinder(_sysfs.Root).BindToVfio(PciAddress.Parse(Bdf)));

        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Contains($"open {_sysfs.DriversProbe} for writing", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_real_writer_puts_the_exact_bytes_into_the_file()
    {
        _sysfs.SetDriver(Bdf, null);
        try
        {
            new SysfsDriverBinder(_sysfs.Root).BindToVfio(PciAddress.Parse(Bdf));
        }
        catch (VfioDeviceUnavailableException)
        {
            // Nothing binds in a fake tree; the writes are what this test is about.
        }

        Assert.Equal("ism_vfio_pci", File.ReadAllText(Path.Combine(_sysfs.DevicePath(Bdf), "driver_override")));
        Assert.Equal(Bdf, File.ReadAllText(_sysfs.DriversProbe));
    }

    /// <summary>A binder whose writes land in the fake tree, with the kernel's reaction to unbind and probe emulated.</summary>
    private SysfsDriverBinder Binder(bool probeBinds) => new(_sysfs.Root, (path, value) =>
    {
        _writes.Add((path, value));
        File.WriteAllText(path, value);
        if (path.EndsWith("/driver/unbind", StringComparison.Ordinal))
        {
            _sysfs.SetDriver(value, null);
        }
        else if (path == _sysfs.DriversProbe && probeBinds)
        {
            var overrideText = File.ReadAllText(Path.Combine(_sysfs.DevicePath(value), "driver_override")).Trim();
            _sysfs.SetDriver(value, overrideText.Length > 0 && overrideText != "(null)" ? overrideText : "ism");
        }
    });
}
