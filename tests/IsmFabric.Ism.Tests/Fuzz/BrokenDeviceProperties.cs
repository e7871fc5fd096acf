using System.Buffers.Binary;
using FsCheck.Xunit;
using IsmFabric.Emulation;

namespace IsmFabric.Ism.Tests.Fuzz;

/// <summary>
/// A broken device writes what it likes into the driver's SBA and IEQ pages. The interrupt pass never throws (but an
/// <see cref="IsmException"/>), never writes outside the SBA page, hands the handler only registered DMBs, stray
/// signals only for DMB slots, at most one IEQ's worth of events and none when the index says nothing was written, and
/// reports the rest through <see cref="IIsmInterruptHandler.OnError"/>.
/// </summary>
public sealed class BrokenDeviceProperties
{
    private const int IeqEntries = 15;

    [Property(MaxTest = 150, Arbitrary = [typeof(DeviceCorruptionArbitrary)])]
    public void Arbitrary_bytes_in_the_sba_and_ieq_never_crash_the_interrupt_pass(DriverTraffic traffic, DeviceCorruption[] corruptions)
    {
        using var pair = new DriverPair();
        var (a, b) = (pair.A, pair.B);
        var dmbs = Enumerable.Range(0, traffic.Dmbs).Select(_ => a.RegisterDmb(4096, b.Gid)).ToList();
        for (var i = 0; i < traffic.Signals && dmbs.Count > 0; i++)
        {
            b.Move(dmbs[i % dmbs.Count].Token, 0, [1], signal: true, dmbeIndex: i % 16);
        }

        for (var i = 0; i < traffic.Events; i++)
        {
            b.SignalEvent(a.Gid, 0x90, (ulong)i);
        }

        if (traffic.Events % 2 == 1)
        {
            a.ProcessInterrupts(); // sometimes the driver has read the IEQ before it broke, sometimes not
        }

        var (sba, ieq) = (pair.Recording.Allocations[0], pair.Recording.Allocations[1]);
        Assert.Equal(sba.Iova + 4096, ieq.Iova); // so a scan past the SBA's end would land in the IEQ page
        var pages = new DriverPages(sba, ieq, b.Gid.Value, dmbs.Count > 0 ? dmbs[0].Token.Value : 0);
        foreach (var c in corruptions)
        {
            c.Apply(pages);
        }

        sba.Span[0] |= 0xC0; // the broken device raises the summary and event bits too, so the IEQ is drained
        var ieqBefore = ieq.Span.ToArray();
        var index = BinaryPrimitives.ReadUInt64BigEndian(ieqBefore);
        for (var pass = 1; pass <= 2; pass++)
        {
            var handler = new CheckingHandler(a);
            try
            {
                a.ProcessInterrupts(handler);
            }
            catch (Exception e) when (e is not IsmException)
            {
                Assert.Fail($"pass {pass} threw {e}");
            }

            Assert.True(handler.Problems.Count == 0, $"pass {pass}: {string.Join("; ", handler.Problems)}");
            Assert.InRange(handler.Events, 0, IeqEntries);
            if (pass == 1 && index is 0 or > IeqEntries)
            {
                Assert.True(handler.Events == 0, $"the IEQ index is {index}, yet {handler.Events} events were handed out");
            }
        }

        Assert.True(ieqBefore.AsSpan().SequenceEqual(ieq.Span), "the interrupt pass wrote into the IEQ page (past the SBA's end)");
    }

    [Fact]
    public void A_bit_in_the_reserved_bytes_after_slot_1919_is_no_signal_and_the_scan_stays_inside_the_sba_page()
    {
        using var pair = new DriverPair();
        var (sba, ieq) = (pair.Recording.Allocations[0], pair.Recording.Allocations[1]);
        pair.B.SignalEvent(pair.A.Gid, 0x90, 1);
        new SbaByte(247, 0x80).Apply(new DriverPages(sba, ieq, 0, 0)); // slot "1944"; its mask would be 4 bytes past the page
        var ieqBefore = ieq.Span.ToArray();

        var batch = pair.A.ProcessInterrupts();

        Assert.Equal(0, batch.StraySignals);
        Assert.Single(batch.Events);
        Assert.True(ieqBefore.AsSpan().SequenceEqual(ieq.Span), "the scan wrote into the page after the SBA");
    }

    [Fact]
    public void An_ieq_index_that_goes_back_to_0_hands_out_no_stale_events_and_is_reported()
    {
        using var pair = new DriverPair();
        pair.B.SignalEvent(pair.A.Gid, 0x90, 1);
        Assert.Single(pair.A.ProcessInterrupts().Events);
        var (sba, ieq) = (pair.Recording.Allocations[0], pair.Recording.Allocations[1]);
        new IeqIndex(0).Apply(new DriverPages(sba, ieq, 0, 0));
        sba.Span[0] |= 0xC0;

        var batch = pair.A.ProcessInterrupts();

        Assert.Empty(batch.Events);
        Assert.Contains("back to 0", Assert.Single(batch.Errors), StringComparison.Ordinal);
    }

    /// <summary>Records what breaks the pass's promises instead of throwing from inside it.</summary>
    private sealed class CheckingHandler(IsmFunction function) : IIsmInterruptHandler
    {
        public List<string> Problems { get; } = [];

        public int Events { get; private set; }

        public void OnSignal(Dmb dmb, ushort mask)
        {
            if (!dmb.IsRegistered || !function.Dmbs.Contains(dmb))
            {
                Problems.Add($"signal for {dmb}, which is not registered");
            }
        }

        public void OnEvent(IsmEvent ev)
        {
            Events++;
            _ = ev.ToString(); // what a node logs
        }

        public void OnStraySignal(int slot)
        {
            if (slot is < IsmFunction.FirstDmbSlot or >= IsmFunction.SlotCount)
            {
                Problems.Add($"stray signal for slot {slot}, which is no DMB slot");
            }
        }

        public void OnError(string problem) => Assert.False(string.IsNullOrEmpty(problem));
    }
}
