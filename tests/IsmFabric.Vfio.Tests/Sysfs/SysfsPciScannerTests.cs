using Xunit;

namespace IsmFabric.Vfio.Tests;

public sealed class SysfsPciScannerTests : IDisposable
{
    private const string IsmA = "0000:00:00.0";
    private const string IsmB = "0001:00:00.0";
    private const string Nic = "0002:00:00.0";
    private readonly FakeSysfs _sysfs = new();

    public SysfsPciScannerTests()
    {
        _sysfs.AddFunction(IsmB, FakeSysfs.IbmVendor, FakeSysfs.IsmDevice, driver: "ism_vfio_pci", group: 1, functionId: 0x12,
            pchid: 0x07c1, pnetids: ["NETB"], vfioDev: "vfio3");
        _sysfs.AddFunction(IsmA, FakeSysfs.IbmVendor, FakeSysfs.IsmDevice, driver: "ism", group: 0, functionId: 0x11,
            pchid: 0x07c0, pnetids: ["NETA", "", "P2"]);
        _sysfs.AddFunction(Nic, 0x15b3, 0x1016, driver: "mlx5_core", group: 2, functionId: 0x20, pnetids: ["NETA"]);
    }

    public void Dispose() => _sysfs.Dispose();

    [Fact]
    public void Finds_the_two_ism_functions_and_not_the_network_card()
    {
        var found = new SysfsPciScanner(_sysfs.Root).FindFunctions(FakeSysfs.IbmVendor, FakeSysfs.IsmDevice);

        Assert.Equal([PciAddress.Parse(IsmA), PciAddress.Parse(IsmB)], found.Select(f => f.Address));
    }

    [Fact]
    public void Reads_identity_zpci_attributes_pnetids_driver_group_and_cdev()
    {
        var found = new SysfsPciScanner(_sysfs.Root).FindFunctions(FakeSysfs.IbmVendor, FakeSysfs.IsmDevice);

        var a = found[0];
        Assert.Equal((FakeSysfs.IbmVendor, FakeSysfs.IsmDevice, 0x11u, (ushort)0x07c0, 1u, (ushort)0, (byte)5),
            (a.Vendor, a.Device, a.FunctionId, a.Pchid, a.Uid, a.Vfn, a.Pft));
        Assert.Equal(["NETA", "", "P2", ""], a.Pnetids);
        Assert.Equal("NETA", a.Pnetid);
        Assert.Equal(64, a.UtilString!.Length);
        Assert.Equal("ism", a.Driver);
        Assert.Equal(0, a.IommuGroup);
        Assert.Null(a.VfioDevice);

        var b = found[1];
        Assert.Equal("NETB", b.Pnetid);
        Assert.Equal("ism_vfio_pci", b.Driver);
        Assert.Equal(1, b.IommuGroup);
        Assert.Equal("vfio3", b.VfioDevice);
    }

    [Fact]
    public void A_function_without_driver_group_or_util_string_reads_as_absent_not_as_an_error()
    {
        _sysfs.AddFunction("0003:00:00.0", FakeSysfs.IbmVendor, FakeSysfs.IsmDevice);

        var info = new SysfsPciScanner(_sysfs.Root).ReadFunction(PciAddress.Parse("0003:00:00.0"));

        Assert.Null(info.Driver);
        Assert.Null(info.IommuGroup);
        Assert.Null(info.UtilString);
        Assert.Empty(info.Pnetids);
        Assert.Null(info.Pnetid);
    }

    [Theory]
    [InlineData("vendor")]
    [InlineData("pchid")]
    [InlineData("function_id")]
    [InlineData("pft")]
    public void A_missing_attribute_names_the_file(string attribute)
    {
        _sysfs.Delete(IsmA, attribute);

        var e = Assert.Throws<SysfsFormatException>(() => new SysfsPciScanner(_sysfs.Root).FindFunctions(FakeSysfs.IbmVendor, FakeSysfs.IsmDevice));

        Assert.Equal($"missing file {_sysfs.Root}/bus/pci/devices/{IsmA}/{attribute}", e.Message);
    }

    [Fact]
    public void A_garbage_hex_value_names_the_file_and_quotes_the_text()
    {
        _sysfs.Write(IsmA, "pchid", "banana\n");

        var e = Assert.Throws<SysfsFormatException>(() => new SysfsPciScanner(_sysfs.Root).ReadFunction(PciAddress.Parse(IsmA)));

        Assert.Equal($"{_sysfs.Root}/bus/pci/devices/{IsmA}/pchid: expected a hex number, found 'banana'", e.Message);
        Assert.EndsWith("/pchid", e.FilePath, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("0x")]
    [InlineData("0x12g4")]
    [InlineData("-1")]
    public void Malformed_hex_values_are_rejected(string text)
    {
        _sysfs.Write(IsmA, "vendor", text + "\n");

        var e = Assert.Throws<SysfsFormatException>(() => new SysfsPciScanner(_sysfs.Root).FindFunctions(FakeSysfs.IbmVendor, FakeSysfs.IsmDevice));

        Assert.Equal($"expected a hex number, found '{text}'", e.Problem);
    }

    [Fact]
    public void A_value_too_wide_for_its_field_is_rejected()
    {
        _sysfs.Write(IsmA, "pft", "0x105\n");

        var e = Assert.Throws<SysfsFormatException>(() => new SysfsPciScanner(_sysfs.Root).ReadFunction(PciAddress.Parse(IsmA)));

        Assert.Equal("0x105 does not fit in 8 bits", e.Problem);
    }

    [Theory]
    [InlineData(63)]
    [InlineData(65)]
    [InlineData(0)]
    public void A_util_string_of_the_wrong_size_names_the_file_and_both_sizes(int size)
    {
        File.WriteAllBytes(Path.Combine(_sysfs.DevicePath(IsmA), "util_string"), new byte[size]);

        var e = Assert.Throws<SysfsFormatException>(() => new SysfsPciScanner(_sysfs.Root).ReadFunction(PciAddress.Parse(IsmA)));

        Assert.Equal($"{_sysfs.Root}/bus/pci/devices/{IsmA}/util_string: {size} bytes, expected 64", e.Message);
    }

    [Fact]
    public void A_util_string_with_a_non_printable_byte_names_the_port_and_offset()
    {
        var util = PnetId.Encode(["NETA", "NETB"]);
        util[17] = 0x05;
        File.WriteAllBytes(Path.Combine(_sysfs.DevicePath(IsmA), "util_string"), util);

        var e = Assert.Throws<SysfsFormatException>(() => new SysfsPciScanner(_sysfs.Root).ReadFunction(PciAddress.Parse(IsmA)));

        Assert.Equal("byte 0x05 at offset 17 (port 1) is not a printable EBCDIC character", e.Problem);
    }

    [Fact]
    public void An_iommu_group_link_that_is_not_a_number_is_reported()
    {
        var link = Path.Combine(_sysfs.DevicePath(IsmA), "iommu_group");
        File.Delete(link);
        Directory.CreateSymbolicLink(link, Path.Combine(_sysfs.Root, "kernel", "iommu_groups", "bogus"));

        var e = Assert.Throws<SysfsFormatException>(() => new SysfsPciScanner(_sysfs.Root).ReadIommuGroup(PciAddress.Parse(IsmA)));

        Assert.Equal($"{_sysfs.Root}/bus/pci/devices/{IsmA}/iommu_group: links to 'bogus', expected an IOMMU group number", e.Message);
    }

    [Fact]
    public void A_driver_entry_that_is_not_a_link_is_reported()
    {
        _sysfs.SetDriver(IsmA, null);
        Directory.CreateDirectory(Path.Combine(_sysfs.DevicePath(IsmA), "driver"));

        var e = Assert.Throws<SysfsFormatException>(() => new SysfsPciScanner(_sysfs.Root).ReadDriver(PciAddress.Parse(IsmA)));

        Assert.Equal("expected a symbolic link", e.Problem);
    }

    [Fact]
    public void A_directory_entry_that_is_not_a_pci_address_is_reported()
    {
        Directory.CreateDirectory(Path.Combine(_sysfs.Root, "bus", "pci", "devices", "not-a-device"));

        var e = Assert.Throws<SysfsFormatException>(() => new SysfsPciScanner(_sysfs.Root).FindFunctions(FakeSysfs.IbmVendor, FakeSysfs.IsmDevice));

        Assert.EndsWith("/not-a-device: the entry name is not a PCI address (DDDD:BB:dd.f)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_sysfs_tree_is_named()
    {
        var e = Assert.Throws<SysfsFormatException>(() => new SysfsPciScanner(Path.Combine(_sysfs.Root, "nowhere")).FindFunctions(1, 2));

        Assert.Equal($"missing file {_sysfs.Root}/nowhere/bus/pci/devices", e.Message);
    }

    [Fact]
    public void A_group_whose_members_are_vfio_bound_or_driverless_is_viable()
    {
        _sysfs.AddFunction("0001:00:00.1", 0x1014, 0x0001, group: 1);

        new SysfsPciScanner(_sysfs.Root).EnsureIommuGroupViable(PciAddress.Parse(IsmB));

        Assert.Equal(
            [new IommuGroupMember("0001:00:00.0", "ism_vfio_pci"), new IommuGroupMember("0001:00:00.1", null)],
            new SysfsPciScanner(_sysfs.Root).ReadIommuGroupMembers(1));
    }

    [Fact]
    public void A_group_with_a_device_bound_to_e1000e_is_not_viable_and_the_error_names_it()
    {
        _sysfs.AddFunction("0001:00:1f.6", 0x8086, 0x15bb, driver: "e1000e", group: 1);

        var e = Assert.Throws<VfioPermissionDeniedException>(
            () => new SysfsPciScanner(_sysfs.Root).EnsureIommuGroupViable(PciAddress.Parse(IsmB)));

        Assert.Contains("0001:00:1f.6 is bound to e1000e", e.Message, StringComparison.Ordinal);
        Assert.Contains($"every device in {_sysfs.GroupDevicesPath(1)} must be bound to vfio-pci or ism_vfio_pci, or to no driver", e.Message, StringComparison.Ordinal);
        Assert.Equal(Errno.EPERM, e.Errno);
    }

    [Fact]
    public void The_function_itself_bound_to_its_default_driver_makes_the_group_not_viable()
    {
        var e = Assert.Throws<VfioPermissionDeniedException>(
            () => new SysfsPciScanner(_sysfs.Root).EnsureIommuGroupViable(PciAddress.Parse(IsmA)));

        Assert.Contains($"{IsmA} is bound to ism", e.Message, StringComparison.Ordinal);
    }
}
