using IsmFabric.Emulation;

namespace IsmFabric.Emulation.Tests;

/// <summary>A fresh CEC in a temp directory with three LPARs (two functions each: CHID 0x0100 and 0x0200).</summary>
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

    /// <summary>The function of <paramref name="lpar"/> on its <paramref name="n"/>-th CHID.</summary>
    public FunctionDefinition Function(string lpar, int n = 0) => Definition.Functions.Where(f => f.Lpar == lpar).ElementAt(n);

    public void Dispose()
    {
        Cec.Dispose();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
