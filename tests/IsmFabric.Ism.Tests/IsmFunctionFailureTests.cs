using IsmFabric.Emulation;
using IsmFabric.Vfio;

namespace IsmFabric.Ism.Tests;

/// <summary>The driver when the device fails or answers badly: nothing freed under the device, nothing leaked, every failure told.</summary>
public sealed class IsmFunctionFailureTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ismfabric-ismfail-" + Guid.NewGuid().ToString("n")[..12]);
    private readonly EmulatedLpar _lpar1;
    private readonly EmulatedLpar _lpar2;
    private readonly RecordingDevice _recA;
    private readonly ListLogger _log = new();
    private readonly IsmFunction _a; // brought up by each test, so bring-up itself can be made to fail
    private readonly IsmFunction _b;

    public IsmFunctionFailureTests()
    {
        EmulatedCec.Create(_dir, CecDefinition.Build("f", 2, 1, [0x0300], ["PNET1"], 16L << 20, seed: 5)).Dispose();
        _lpar1 = EmulatedLpar.Attach(_dir, "lpar1");
        _lpar2 = EmulatedLpar.Attach(_dir, "lpar2");
        _recA = new RecordingDevice(_lpar1.OpenFunction(_lpar1.Functions[0].Fid));
        _a = new IsmFunction(_recA, _log);
        _b = new IsmFunction(_lpar2.OpenFunction(_lpar2.Functions[0].Fid));
        _b.BringUp();
    }

    [Fact]
    public void A_move_is_cut_at_imaxstbl_when_the_function_reports_less_than_4KiB()
    {
        _recA.Imaxstbl = 1024;
        _a.BringUp();
        Assert.Equal(1024, _a.MaxStoreBlock);
        var dmb = _b.RegisterDmb(1 << 20, _a.Gid);
        var data = new byte[5000];
        Random.Shared.NextBytes(data);
        _recA.Writes.Clear();

        _a.Move(dmb.Token, 100, data, signal: true);

        var stores = _recA.Writes.Where(w => w.Offset >> 48 == 0).ToList();
        Assert.Equal([1024, 1024, 1024, 924, 1004], stores.Select(s => s.Length));
        Assert.All(stores, s => Assert.True((s.Offset & 0xFFF) + s.Length <= 4096));
        Assert.Equal([false, false, false, false, true], stores.Select(s => (s.Offset & (1L << 23)) != 0));
        Assert.Equal(data, dmb.Memory.Slice(100, data.Length).ToArray());
    }

    [Fact]
    public void A_response_that_cannot_be_loaded_reads_as_ISM_ERROR_with_the_failed_load_as_its_cause()
    {
        _a.BringUp();
        _recA.FailResponseLoadOf = 0x03;

        var e = Assert.Throws<IsmCommandException>(() => _a.ReadGid());

        Assert.Equal(IsmCommandException.IsmError, e.ReturnCode);
        Assert.IsType<VfioIoException>(e.InnerException);
        Assert.Contains("could not be loaded", e.Message, StringComparison.Ordinal);
        Assert.Equal(_a.Gid, _a.ReadGid()); // the next command works
    }

    [Fact]
    public void A_slot_already_in_use_is_refused_before_any_command_or_allocation()
    {
        _a.BringUp();
        var first = _a.RegisterDmb(4096, _b.Gid, sbaIndex: 40);
        var commands = _recA.Log.Count;
        var allocations = _recA.Allocations.Count;

        var e = Assert.Throws<ArgumentException>(() => _a.RegisterDmb(4096, _b.Gid, sbaIndex: 40));

        Assert.Contains($"SBA slot 40 is already in use by {first}", e.Message, StringComparison.Ordinal);
        Assert.Equal(commands, _recA.Log.Count);
        Assert.Equal(allocations, _recA.Allocations.Count);
        Assert.Same(first, Assert.Single(_a.Dmbs));
    }

    [Theory]
    [InlineData("malformed token")]
    [InlineData("wrong response length")]
    [InlineData("answer lost")]
    public void A_reg_dmb_answer_the_driver_cannot_trust_quarantines_the_buffer_and_the_slot(string fault)
    {
        _a.BringUp();
        var inUse = _lpar1.DmaBytesInUse;
        switch (fault)
        {
            case "malformed token":
                _recA.CorruptToken = 0x0000_0001_0000_0001; // bits 0..31 set: no move address can carry it
                break;
            case "wrong response length":
                _recA.CorruptResponseLength = 24;
                break;
            default:
                _recA.FailResponseLoadOf = 0x0A;
                break;
        }

        Assert.Throws<IsmProtocolException>(() => _a.RegisterDmb(4096, _b.Gid, sbaIndex: 50));

        // The device may hold the buffer: it stays mapped, and the slot it may signal stays taken.
        var quarantined = Assert.Single(_a.Quarantined);
        Assert.Equal((50, 4096, _b.Gid), (quarantined.SbaIndex, quarantined.Length, quarantined.RemoteGid));
        Assert.Equal(_recA.Allocations[^1].Iova, quarantined.Iova);
        Assert.DoesNotContain(_recA.Log, l => l.StartsWith("unmap", StringComparison.Ordinal));
        Assert.Equal(inUse + 4096, _lpar1.DmaBytesInUse);
        Assert.Contains(_log.Messages, m => m.StartsWith("Error:", StringComparison.Ordinal) && m.Contains("quarantined", StringComparison.Ordinal));
        Assert.Throws<ArgumentException>(() => _a.RegisterDmb(4096, _b.Gid, sbaIndex: 50));
        Assert.Empty(_a.Dmbs);

        // The function goes on: the next registration takes another slot.
        Assert.NotEqual(50, _a.RegisterDmb(4096, _b.Gid).SbaIndex);
    }

    [Fact]
    public void A_refused_reg_dmb_gives_back_its_buffer_and_its_slot()
    {
        _a.BringUp();
        var inUse = _lpar1.DmaBytesInUse;
        Inject(new FunctionFault { FailCommands = 1, FailCommandCode = 0x0A, FailReturnCode = 0x0042 });

        Assert.Equal(0x0042, Assert.Throws<IsmCommandException>(() => _a.RegisterDmb(4096, _b.Gid, sbaIndex: 60)).ReturnCode);

        Assert.Empty(_a.Quarantined);
        Assert.Equal(inUse, _lpar1.DmaBytesInUse);
        Assert.Equal(60, _a.RegisterDmb(4096, _b.Gid, sbaIndex: 60).SbaIndex);
    }

    [Fact]
    public void A_refused_reg_sba_frees_its_page_and_turns_msi_off_without_an_unreg_and_the_next_bring_up_works()
    {
        var inUse = _lpar1.DmaBytesInUse;
        Inject(new FunctionFault { FailCommands = 1, FailCommandCode = 0x01, FailReturnCode = 0x0042 });

        Assert.Equal(0x0042, Assert.Throws<IsmCommandException>(_a.BringUp).ReturnCode);

        Assert.Equal(["msi on", "cmd 0x01", "msi off", $"unmap 0x{_recA.Allocations[0].Iova:x}"], _recA.Log);
        Assert.Equal(inUse, _lpar1.DmaBytesInUse);
        Assert.False(_a.IsUp);
        _a.BringUp();
        Assert.True(_a.IsUp);
    }

    [Fact]
    public void A_refused_reg_ieq_takes_the_sba_back_before_freeing_both_pages()
    {
        var inUse = _lpar1.DmaBytesInUse;
        Inject(new FunctionFault { FailCommands = 1, FailCommandCode = 0x02, FailReturnCode = 0x0042 });

        Assert.Throws<IsmCommandException>(_a.BringUp);

        Assert.Equal(
            ["msi on", "cmd 0x01", "cmd 0x02", "cmd 0x11", "msi off", $"unmap 0x{_recA.Allocations[1].Iova:x}", $"unmap 0x{_recA.Allocations[0].Iova:x}"],
            _recA.Log);
        Assert.Equal(inUse, _lpar1.DmaBytesInUse);
    }

    [Fact]
    public void An_unreg_that_fails_is_logged_with_its_ret_and_the_page_stays_mapped()
    {
        _a.BringUp();
        var ieq = _recA.Allocations[1].Iova;
        Inject(new FunctionFault { FailCommands = 1, FailCommandCode = 0x12, FailReturnCode = 0x0033 });

        _a.Shutdown();

        Assert.Contains(_log.Messages, m => m.StartsWith("Warning:", StringComparison.Ordinal)
            && m.Contains("UnregIeq answered ret 0x0033", StringComparison.Ordinal) && m.Contains("stays mapped", StringComparison.Ordinal));
        Assert.DoesNotContain($"unmap 0x{ieq:x}", _recA.Log);
    }

    [Fact]
    public void An_unreg_dmb_whose_answer_is_lost_counts_as_done_and_the_cause_is_logged()
    {
        _a.BringUp();
        var dmb = _a.RegisterDmb(4096, _b.Gid);
        _recA.FailResponseLoadOf = 0x0B;

        _a.UnregisterDmb(dmb);

        Assert.False(dmb.IsRegistered);
        Assert.Contains(_log.Messages, m => m.StartsWith("Warning:", StringComparison.Ordinal)
            && m.Contains("UnregDmb", StringComparison.Ordinal) && m.Contains("injected: the response could not be loaded", StringComparison.Ordinal));
    }

    private void Inject(FunctionFault fault)
    {
        using var cec = EmulatedCec.Open(_dir);
        cec.InjectFault(_lpar1.Functions[0].Fid, fault);
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

        Assert.True(iommuFaults.Count == 0, "unmapped while a device held it: " + string.Join("; ", iommuFaults)); // quarantined and kept pages were taken from the device before they were unmapped
    }
}
