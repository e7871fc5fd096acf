using IsmFabric.Emulation;

namespace IsmFabric.Emulation.Tests;

/// <summary>
/// A fresh CEC in a temp directory with three LPARs (two functions each: CHID 0x0100 and 0x0200). Disposing it fails
/// the test if any function took an IOMMU fault, unless the test said it expects one: every test thereby checks
/// that what it did unregistered before it unmapped.
/// </summary>
public sealed class CecFixture : IDisposable
{
    public CecFixture(int lpars = 3, int functionsPerLpar = 2, long memory = 16L << 20)
    {
        Directory = Path.Combine(Path.GetTempPath(), "ismfabric-test-" + Guid.NewGuid().ToString("n")[..12]);
        Definition = CecDefinition.Build("test", lpars, functionsPerLpar, [0x0100, 0x0200], ["NETA", "NETB"], memory, seed: 42);
        Cec = EmulatedCec.Create(Directory, Definition);
    }

    public string Directory { get; }

    public CecDefinition Definition { get; }

    public EmulatedCec Cec { get; }

    /// <summary>Cleared by a test that provokes IOMMU faults on purpose, or destroys the state file.</summary>
    public bool CheckIommuFaultsAtEnd { get; set; } = true;

    /// <summary>The function of <paramref name="lpar"/> on its <paramref name="n"/>-th CHID.</summary>
    public FunctionDefinition Function(string lpar, int n = 0) => Definition.Functions.Where(f => f.Lpar == lpar).ElementAt(n);

    public void Dispose()
    {
        IReadOnlyList<string> faults = CheckIommuFaultsAtEnd ? Cec.IommuFaultReport() : [];
        Cec.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }

        Assert.True(faults.Count == 0, "unmapped while a device held it: " + string.Join("; ", faults));
    }
}
