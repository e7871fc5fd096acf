using IsmFabric.Emulation;

namespace IsmFabric.Ism.Tests.Fuzz;

/// <summary>Two drivers up on a fresh emulated CEC (two LPARs, one function each on one CHID); A's device is recorded.</summary>
public sealed class DriverPair : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ismfabric-fuzz-" + Guid.NewGuid().ToString("n")[..12]);
    private readonly EmulatedLpar _lpar1;
    private readonly EmulatedLpar _lpar2;

    public DriverPair()
    {
        EmulatedCec.Create(_dir, CecDefinition.Build("t", 2, 1, [0x0300], ["PNET1"], 16L << 20, seed: 7)).Dispose();
        _lpar1 = EmulatedLpar.Attach(_dir, "lpar1");
        _lpar2 = EmulatedLpar.Attach(_dir, "lpar2");
        Recording = new RecordingDevice(_lpar1.OpenFunction(_lpar1.Functions[0].Fid));
        A = new IsmFunction(Recording);
        B = new IsmFunction(_lpar2.OpenFunction(_lpar2.Functions[0].Fid));
        A.BringUp();
        B.BringUp();
    }

    public RecordingDevice Recording { get; }

    public IsmFunction A { get; }

    public IsmFunction B { get; }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
        _lpar1.Dispose();
        _lpar2.Dispose();
        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
        }
    }
}
