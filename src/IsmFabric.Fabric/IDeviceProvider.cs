using IsmFabric.Vfio;

namespace IsmFabric.Fabric;

/// <summary>Where a node's ISM functions come from: sysfs and VFIO on a real LPAR, or an attached emulated LPAR.</summary>
public interface IDeviceProvider
{
    /// <summary>The functions this LPAR has now.</summary>
    IReadOnlyList<FunctionDescriptor> Discover();

    /// <summary>Opens one function as a VFIO device (the device actor owns it from then on).</summary>
    IVfioDevice Open(FunctionDescriptor function);
}
