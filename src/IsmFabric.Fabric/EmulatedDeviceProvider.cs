using IsmFabric.Emulation;
using IsmFabric.Vfio;

namespace IsmFabric.Fabric;

/// <summary>The functions of an attached emulated LPAR.</summary>
public sealed class EmulatedDeviceProvider(EmulatedLpar lpar) : IDeviceProvider
{
    /// <inheritdoc />
    public IReadOnlyList<FunctionDescriptor> Discover() =>
        lpar.Functions.Select(f => new FunctionDescriptor($"ism-{f.Fid:x8}", f.Fid, f.Chid, f.Pnetid)).ToList();

    /// <inheritdoc />
    public IVfioDevice Open(FunctionDescriptor function) => lpar.OpenFunction(function.Fid);
}
