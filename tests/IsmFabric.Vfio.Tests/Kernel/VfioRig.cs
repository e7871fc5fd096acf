namespace IsmFabric.Vfio.Tests;

/// <summary>
/// One ISM function ready to open through either flow: a fake sysfs tree (bound to ism_vfio_pci, IOMMU group 7,
/// vfio-dev/vfio0), a dev root with the nodes, and the fake kernel behind them. Every open, ioctl, close, mmap and
/// munmap lands in <see cref="Log"/> in order.
/// </summary>
internal sealed class VfioRig : IDisposable
{
    public const string Bdf = "0000:00:00.0";
    public const int Group = 7;

    public VfioRig(bool cdevNode = true, bool devIommu = true)
    {
        Sysfs = new FakeSysfs();
        Sysfs.AddFunction(Bdf, FakeSysfs.IbmVendor, FakeSysfs.IsmDevice, driver: "ism_vfio_pci", group: Group, pnetids: ["NETA"],
            vfioDev: cdevNode ? "vfio0" : null);
        Dev = Path.Combine(Sysfs.Root, "dev");
        Directory.CreateDirectory(Path.Combine(Dev, "vfio", "devices"));

        Kernel = new FakeVfioKernel();
        Container = Kernel.Add(new FakeContainer(Kernel, Node("vfio", "vfio")));
        Device = Kernel.Add(new FakeDevice(Kernel, Node("vfio", "devices", "vfio0"), Bdf));
        GroupFile = Kernel.Add(new FakeGroup(Kernel, Node("vfio", Group.ToString(System.Globalization.CultureInfo.InvariantCulture)), Container, Device));
        Iommufd = Kernel.Add(new FakeIommufd(Kernel, devIommu ? Node("iommu") : Path.Combine(Dev, "iommu")));
        Device.Iommufd = Iommufd;
        Iommufd.Device = Device;
        Memory = new RecordingHostMemory(Kernel.Log);
    }

    public FakeSysfs Sysfs { get; }

    public string Dev { get; }

    public FakeVfioKernel Kernel { get; }

    public FakeContainer Container { get; }

    public FakeGroup GroupFile { get; }

    public FakeDevice Device { get; }

    public FakeIommufd Iommufd { get; }

    public RecordingHostMemory Memory { get; }

    public List<string> Log => Kernel.Log;

    public VfioOpenOptions Options(VfioOpenMode mode) => new() { Mode = mode, SysfsRoot = Sysfs.Root, DevRoot = Dev };

    public KernelVfioDevice Open(VfioOpenMode mode) => KernelVfio.Open(PciAddress.Parse(Bdf), Options(mode), Kernel, Memory);

    public void Dispose() => Sysfs.Dispose();

    /// <summary>Creates a placeholder node under the dev root (so existence checks see it) and returns its path.</summary>
    private string Node(params string[] parts)
    {
        var path = Path.Combine([Dev, .. parts]);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, string.Empty);
        return path;
    }
}
