using IsmFabric.Ism;
using IsmFabric.Vfio;

namespace IsmFabric.Fabric;

/// <summary>The ISM functions of this LPAR from sysfs, opened through the kernel's VFIO (bound to ism_vfio_pci beforehand).</summary>
public sealed class KernelDeviceProvider(VfioOpenOptions options) : IDeviceProvider
{
    /// <inheritdoc />
    public IReadOnlyList<FunctionDescriptor> Discover() =>
        new SysfsPciScanner(options.SysfsRoot).FindFunctions(IsmPciIds.Vendor, IsmPciIds.Device)
            .Select(f => new FunctionDescriptor(f.Address.ToString(), f.FunctionId, f.Pchid, f.Pnetid ?? ""))
            .ToList();

    /// <inheritdoc />
    public IVfioDevice Open(FunctionDescriptor function) => KernelVfio.Open(PciAddress.Parse(function.Name), options);
}
