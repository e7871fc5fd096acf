namespace IsmFabric.Emulation.Tests;

/// <summary>A fresh CEC (<see cref="CecFixture"/>) with lpar1 and lpar2 attached and the first function of each brought up by hand.</summary>
public sealed class TwoFunctions : IDisposable
{
    public TwoFunctions()
    {
        Lpar1 = Cec.Cec.AttachLpar("lpar1");
        Lpar2 = Cec.Cec.AttachLpar("lpar2");
        A = new RawIsm(Lpar1.OpenFunction(Cec.Function("lpar1").Fid)).BringUp();
        B = new RawIsm(Lpar2.OpenFunction(Cec.Function("lpar2").Fid)).BringUp();
    }

    /// <summary>The CEC.</summary>
    public CecFixture Cec { get; } = new();

    /// <summary>lpar1, attached by this process.</summary>
    public EmulatedLpar Lpar1 { get; }

    /// <summary>lpar2, attached by this process.</summary>
    public EmulatedLpar Lpar2 { get; }

    /// <summary>lpar1's function.</summary>
    public RawIsm A { get; }

    /// <summary>lpar2's function.</summary>
    public RawIsm B { get; }

    public void Dispose()
    {
        A.Dispose();
        B.Dispose();
        Lpar1.Dispose();
        Lpar2.Dispose();
        Cec.Dispose();
    }
}
