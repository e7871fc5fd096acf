using IsmFabric.Emulation;
using IsmFabric.Vfio;

namespace IsmFabric.Ism.Tests;

/// <summary>The driver on the emulated machine: bring-up, DMBs, moves, interrupts, teardown.</summary>
public sealed class IsmFunctionTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ismfabric-ism-" + Guid.NewGuid().ToString("n")[..12]);
    private readonly CecDefinition _definition;
    private readonly EmulatedLpar _lpar1;
    private readonly EmulatedLpar _lpar2;
    private readonly RecordingDevice _recA;
    private readonly IsmFunction _a;
    private readonly IsmFunction _b;

    public IsmFunctionTests()
    {
        _definition = CecDefinition.Build("t", 2, 1, [0x0300], ["PNET1"], 16L << 20, seed: 7);
        EmulatedCec.Create(_dir, _definition).Dispose();
        _lpar1 = EmulatedLpar.Attach(_dir, "lpar1");
        _lpar2 = EmulatedLpar.Attach(_dir, "lpar2");
        _recA = new RecordingDevice(_lpar1.OpenFunction(_lpar1.Functions[0].Fid));
        _a = new IsmFunction(_recA);
        _b = new IsmFunction(_lpar2.OpenFunction(_lpar2.Functions[0].Fid));
        _a.BringUp();
        _b.BringUp();
    }

    [Fact]
    public void Bring_up_follows_the_probe_order_and_learns_gid_chid_pnetid_and_imaxstbl()
    {
        Assert.Equal(["msi on", "cmd 0x01", "cmd 0x02", "cmd 0x08", "cmd 0x03"], _recA.Log.Where(l => !l.StartsWith("unmap", StringComparison.Ordinal)));
        Assert.Equal(_lpar1.Functions[0].Gid, _a.Gid.Value);
        Assert.Equal(new Chid(0x0300), _a.Chid);
        Assert.Equal("PNET1", _a.Pnetid);
        Assert.Equal(4096, _a.MaxStoreBlock);
        Assert.NotNull(_a.InfoAtBringUp);
        Assert.True(_a.QueryRemoteGid(_b.Gid));
        Assert.False(_a.QueryRemoteGid(new Gid(0x1234)));
    }

    [Fact]
    public void A_move_is_split_at_4KiB_boundaries_of_the_dmb_offset_with_the_signal_only_on_the_last_store()
    {
        var dmb = _b.RegisterDmb(1 << 20, _a.Gid);
        var data = new byte[10_000];
        Random.Shared.NextBytes(data);
        _recA.Writes.Clear();

        _a.Move(dmb.Token, 100, data, signal: true);

        var stores = _recA.Writes.Where(w => w.Offset >> 48 == 0).ToList();
        Assert.Equal([3996, 4096, 1908], stores.Select(s => s.Length));
        Assert.All(stores, s => Assert.True((s.Offset & 0xFFF) + s.Length <= 4096));
        Assert.Equal([false, false, true], stores.Select(s => (s.Offset & (1L << 23)) != 0));
        Assert.Equal(data, dmb.Memory.Slice(100, data.Length).ToArray());
        var batch = _b.ProcessInterrupts();
        Assert.Equal(dmb, Assert.Single(batch.Signals).Dmb);
        Assert.Equal(0x8000, batch.Signals[0].Mask);
    }

    [Fact]
    public void A_zero_length_move_issues_no_store_and_so_no_signal()
    {
        var dmb = _b.RegisterDmb(4096, _a.Gid);
        _recA.Writes.Clear();
        _a.Move(dmb.Token, 0, [], signal: true);
        Assert.Empty(_recA.Writes);
        Assert.True(_b.ProcessInterrupts().IsEmpty);
    }

    [Fact]
    public void A_refused_move_raises_an_IsmMoveException_with_EIO()
    {
        var dmb = _b.RegisterDmb(4096, new Gid(0x42));
        var e = Assert.Throws<IsmMoveException>(() => _a.Move(dmb.Token, 0, new byte[8], signal: false));
        Assert.Equal(Errno.EIO, e.Errno);
        Assert.Throws<ArgumentException>(() => _a.Move(new DmbToken(5), 0, new byte[8], signal: false));
    }

    [Fact]
    public void The_driver_refuses_DMB_1889_without_asking_the_device()
    {
        for (var i = 0; i < IsmFunction.MaxDmbs; i++)
        {
            _a.RegisterDmb(4096, _b.Gid);
        }

        var commands = _recA.Log.Count;
        Assert.Throws<IsmDmbLimitException>(() => _a.RegisterDmb(4096, _b.Gid));
        Assert.Equal(commands, _recA.Log.Count);
        Assert.Throws<ArgumentOutOfRangeException>(() => _b.RegisterDmb(4096, _a.Gid, sbaIndex: 31));
        Assert.Throws<ArgumentOutOfRangeException>(() => _b.RegisterDmb((1 << 20) + 1, _a.Gid));
    }

    [Fact]
    public void Events_are_drained_in_order_and_a_test_link_request_is_answered()
    {
        _b.SignalEvent(_a.Gid, 0x90, 7);
        _b.SignalEvent(_a.Gid, IsmEventCode.TestLink, new TestLinkInfo(5, 0, TestLinkInfo.Request).Encode());
        var batch = _a.ProcessInterrupts();
        Assert.Equal(2, batch.Events.Count);
        Assert.Equal((IsmEventType.Software, 0x90u, 7UL), (batch.Events[0].Type, batch.Events[0].Code, batch.Events[0].Info));
        Assert.True(batch.Events[1].Answered);
        var answer = Assert.Single(_b.ProcessInterrupts().Events);
        Assert.Equal(new TestLinkInfo(5, 0, TestLinkInfo.Response), TestLinkInfo.Decode(answer.Info));
        Assert.Equal(_a.Gid, answer.Gid);
    }

    [Fact]
    public void Twenty_events_in_bursts_of_ten_are_all_drained_across_the_ieq_wrap()
    {
        var seen = new List<ulong>();
        for (ulong burst = 0; burst < 2; burst++)
        {
            for (ulong i = 0; i < 10; i++)
            {
                _b.SignalEvent(_a.Gid, 0x91, (burst * 10) + i);
            }

            seen.AddRange(_a.ProcessInterrupts().Events.Select(e => e.Info));
        }

        Assert.Equal(Enumerable.Range(0, 20).Select(i => (ulong)i), seen);
    }

    [Fact]
    public void A_response_length_that_is_not_a_multiple_of_8_is_a_protocol_error_not_a_hang()
    {
        _recA.CorruptResponseLength = 12;
        Assert.Throws<IsmProtocolException>(() => _a.ReadGid());
        Assert.Equal(_a.Gid, _a.ReadGid()); // the next command works
    }

    [Fact]
    public void An_ieq_index_out_of_range_is_reported_in_the_batch_and_signals_are_not_lost()
    {
        var dmb = _a.RegisterDmb(4096, _b.Gid);
        _b.Move(dmb.Token, 0, new byte[] { 1 }, signal: true);
        _b.SignalEvent(_a.Gid, 0x90, 1);

        // Corrupt the IEQ header index the way a broken device would.
        var ieq = _recA.Allocations[1]; // bring-up asks for the SBA page, then the IEQ page
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(ieq.Span, 99);

        var batch = _a.ProcessInterrupts();
        Assert.Single(batch.Signals);
        Assert.Contains("out of range", Assert.Single(batch.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Shutdown_unregisters_dmbs_then_ieq_then_sba_then_disables_msi_and_only_then_unmaps()
    {
        var dmb = _a.RegisterDmb(4096, _b.Gid);
        _recA.Log.Clear();
        _a.Shutdown();
        Assert.Equal("cmd 0x0b", _recA.Log[0]);
        Assert.StartsWith("unmap", _recA.Log[1], StringComparison.Ordinal); // the DMB's memory, after its UNREG
        Assert.Equal(["cmd 0x12", "cmd 0x11", "msi off"], _recA.Log.Skip(2).Take(3));
        Assert.Equal(2, _recA.Log.Skip(5).Count(l => l.StartsWith("unmap", StringComparison.Ordinal)));
        Assert.False(dmb.IsRegistered);
    }

    [Fact]
    public void A_peer_closing_its_function_reaches_us_as_events_and_our_dmb_for_it_stays_until_we_unregister()
    {
        var dmb = _a.RegisterDmb(4096, _b.Gid);
        _b.Dispose();
        var events = _a.ProcessInterrupts().Events;
        Assert.Contains(events, e => e.Type == IsmEventType.Buffer && e.Code == IsmEventCode.BufUsingDeviceDisabled && e.Dmb == dmb.Token);
        Assert.Contains(events, e => e.Type == IsmEventType.Device && e.Code == IsmEventCode.DevGidDisabled && e.Gid == _b.Gid);
        Assert.True(dmb.IsRegistered);
        _a.UnregisterDmb(dmb);
    }

    [Fact]
    public void A_failing_unreg_dmb_keeps_the_dmb_and_its_memory()
    {
        var dmb = _a.RegisterDmb(4096, _b.Gid);
        using var cec = EmulatedCec.Open(_dir);
        cec.InjectFault(_lpar1.Functions[0].Fid, new FunctionFault { FailCommands = 1, FailReturnCode = 0x0033 });
        var e = Assert.Throws<IsmCommandException>(() => _a.UnregisterDmb(dmb));
        Assert.Equal(0x0033, e.ReturnCode);
        Assert.True(dmb.IsRegistered);
        _a.UnregisterDmb(dmb);
        Assert.False(dmb.IsRegistered);
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
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

        Assert.True(iommuFaults.Count == 0, "unmapped while a device held it: " + string.Join("; ", iommuFaults)); // the driver unregistered everything before it unmapped
    }
}
