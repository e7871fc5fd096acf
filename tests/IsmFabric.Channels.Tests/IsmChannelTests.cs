using System.Buffers.Binary;
using IsmFabric.Channels;
using IsmFabric.Emulation;
using IsmFabric.Ism;

namespace IsmFabric.Channels.Tests;

/// <summary>Channels over real ISM moves on the emulated CEC, including failover when a function fails.</summary>
public sealed class IsmChannelTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ismfabric-chan-" + Guid.NewGuid().ToString("n")[..10]);
    private readonly EmulatedLpar _lpar1;
    private readonly EmulatedLpar _lpar2;
    private readonly IsmFunction[] _f1;
    private readonly IsmFunction[] _f2;

    public IsmChannelTests()
    {
        // Two LPARs, two functions each, all on one CHID: two independent paths between the LPARs.
        EmulatedCec.Create(_dir, CecDefinition.Build("c", 2, 2, [0x0100], ["NET"], 16L << 20, seed: 3)).Dispose();
        _lpar1 = EmulatedLpar.Attach(_dir, "lpar1");
        _lpar2 = EmulatedLpar.Attach(_dir, "lpar2");
        _f1 = _lpar1.Functions.Select(f => new IsmFunction(_lpar1.OpenFunction(f.Fid))).ToArray();
        _f2 = _lpar2.Functions.Select(f => new IsmFunction(_lpar2.OpenFunction(f.Fid))).ToArray();
        foreach (var f in _f1.Concat(_f2))
        {
            f.BringUp();
        }
    }

    private static (IsmChannelPath A, IsmChannelPath B) Paths(IsmFunction a, IsmFunction b, int size)
    {
        var da = a.RegisterDmb(size, b.Gid);
        var db = b.RegisterDmb(size, a.Gid);
        return (new IsmChannelPath(a, da, db.Token, size), new IsmChannelPath(b, db, da.Token, size));
    }

    [Fact]
    public void A_function_failing_mid_stream_moves_the_channel_to_the_other_function_without_losing_or_repeating_a_message()
    {
        var (pa, pb) = Paths(_f1[0], _f2[0], 256 * 1024);
        using var a = new ChannelEndpoint(9, pa);
        using var b = new ChannelEndpoint(9, pb);
        var received = new List<int>();
        var payload = new byte[60_000];
        var failed = false;

        for (var n = 0; n < 400; n++)
        {
            if (n == 150)
            {
                using var cec = EmulatedCec.Open(_dir);
                cec.InjectFault(_lpar1.Functions[0].Fid, new FunctionFault { EnterErrorState = true });
            }

            BinaryPrimitives.WriteInt32BigEndian(payload, n);
            var spins = 0;
            while (!a.TryWrite(payload))
            {
                Assert.True(++spins < 10_000, $"stuck at message {n}: a {a.PathFailure?.Message}, b {b.PathFailure?.Message}, unacknowledged {a.Unacknowledged}, received {received.Count}; a: {a}; b: {b}");
                a.Flush();
                b.Read(m => received.Add(BinaryPrimitives.ReadInt32BigEndian(m)));
                if (a.PathFailure is IsmMoveException)
                {
                    // The path is gone: both sides move to the second function pair, as the failover coordinator does.
                    Assert.False(failed, "only one failover is expected");
                    failed = true;
                    var (na, nb) = Paths(_f1[1], _f2[1], 256 * 1024);
                    a.ReplacePath(na, 1);
                    b.ReplacePath(nb, 1);
                }
            }
        }

        a.Flush();
        b.Read(m => received.Add(BinaryPrimitives.ReadInt32BigEndian(m)));
        Assert.True(failed, "the injected fault must have hit the stream");
        Assert.Equal(Enumerable.Range(0, 400), received);
    }

    public void Dispose()
    {
        foreach (var f in _f1.Concat(_f2))
        {
            f.Dispose();
        }

        _lpar1.Dispose();
        _lpar2.Dispose();
        IReadOnlyList<string> iommuFaults;
        using (var cec = EmulatedCec.Open(_dir))
        {
            iommuFaults = cec.IommuFaultReport();
        }

        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
        }

        Assert.True(iommuFaults.Count == 0, "unmapped while a device held it: " + string.Join("; ", iommuFaults)); // the channel path unregistered every DMB before its memory went
    }
}
