using IsmFabric.Emulation;

namespace IsmFabric.Fabric.Tests;

/// <summary>The end-of-test check that nothing unmapped DMA memory a device still held (the emulated IOMMU counts it).</summary>
internal static class IommuFaultCheck
{
    /// <summary>Fails with the faults' descriptions when any function of the CEC in <paramref name="cecDirectory"/> took an IOMMU fault.</summary>
    internal static void AssertNone(string cecDirectory)
    {
        using var cec = EmulatedCec.Open(cecDirectory);
        var faults = cec.IommuFaultReport();
        Assert.True(faults.Count == 0, "unmapped while a device held it: " + string.Join("; ", faults));
    }
}
