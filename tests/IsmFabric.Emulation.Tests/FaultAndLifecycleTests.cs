using IsmFabric.Vfio;

namespace IsmFabric.Emulation.Tests;

/// <summary>LPAR attach/detach, reclaim with firmware events, and every injectable fault.</summary>
public sealed class FaultAndLifecycleTests : IDisposable
{
    private readonly CecFixture _cec = new();

    [Fact]
    public void An_lpar_cannot_be_attached_twice_while_its_holder_lives()
    {
        using var first = _cec.Cec.AttachLpar("lpar1");
        var e = Assert.Throws<InvalidOperationException>(() => _cec.Cec.AttachLpar("lpar1"));
        Assert.Contains("already attached", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => _cec.Cec.AttachLpar("nosuch"));
    }

    [Fact]
    public void A_function_cannot_be_opened_twice_or_from_another_lpar()
    {
        using var lpar1 = _cec.Cec.AttachLpar("lpar1");
        using var device = lpar1.OpenFunction(_cec.Function("lpar1").Fid);
        Assert.Throws<VfioBusyException>(() => lpar1.OpenFunction(_cec.Function("lpar1").Fid));
        Assert.Throws<VfioDeviceUnavailableException>(() => lpar1.OpenFunction(_cec.Function("lpar2").Fid));
    }

    [Fact]
    public void Detaching_an_lpar_unregisters_its_dmbs_and_its_peers_get_dmb_unregistered_and_gid_disabled()
    {
        using var lpar1 = _cec.Cec.AttachLpar("lpar1");
        var lpar2 = _cec.Cec.AttachLpar("lpar2");
        using var a = new RawIsm(lpar1.OpenFunction(_cec.Function("lpar1").Fid)).BringUp();
        var b = new RawIsm(lpar2.OpenFunction(_cec.Function("lpar2").Fid)).BringUp();
        var (_, bToken, _) = b.RegisterDmb(4096, 40, a.Gid);
        var (_, aToken, _) = a.RegisterDmb(4096, 41, b.Gid);
        Assert.Equal(2, _cec.Cec.Snapshot().Dmbs.Count);

        lpar2.Dispose();

        var snapshot = _cec.Cec.Snapshot();
        Assert.DoesNotContain(snapshot.Dmbs, d => d.OwnerLpar == "lpar2");
        Assert.Contains(snapshot.Dmbs, d => d.Token == aToken);
        Assert.False(snapshot.Lpars.Single(l => l.Name == "lpar2").Attached);
        var events = Enumerable.Range(0, (int)a.IeqIndex).Select(a.IeqEntry).ToList();
        Assert.Contains((0u, 0x04u, bToken, 0UL), events);   // BUF_DMB_UNREGISTERED for B's DMB
        Assert.Contains((0u, 0x08u, aToken, 0UL), events);   // BUF_USING_ISM_DEV_DISABLED for A's DMB B used
        Assert.Equal((1u, 0x07u, b.Gid, 0UL), events[^1]);   // DEV_GID_DISABLED last
    }

    [Fact]
    public void A_function_in_error_state_fails_io_with_EIO_and_its_peers_are_told()
    {
        using var lpar1 = _cec.Cec.AttachLpar("lpar1");
        using var lpar2 = _cec.Cec.AttachLpar("lpar2");
        using var a = new RawIsm(lpar1.OpenFunction(_cec.Function("lpar1").Fid)).BringUp();
        using var b = new RawIsm(lpar2.OpenFunction(_cec.Function("lpar2").Fid)).BringUp();
        var (_, token, _) = a.RegisterDmb(4096, 40, b.Gid);

        _cec.Cec.InjectFault(a.Device.Definition.Fid, new FunctionFault { EnterErrorState = true });

        Assert.Throws<VfioIoException>(() => a.Command(0x03, []));
        Assert.Throws<VfioIoException>(() => b.Device.Write((long)token, new byte[8]));
        Assert.Equal((0u, 0x02u, token, 0UL), b.IeqEntry(0)); // BUF_OWNING_ISM_DEV_IN_ERR_STATE
        Assert.Equal((1u, 0x01u, a.Gid, 0UL), b.IeqEntry(1)); // DEV_GID_ERR_STATE
        Assert.Equal("error", _cec.Cec.Snapshot().Functions.Single(f => f.Fid == a.Device.Definition.Fid).State);

        _cec.Cec.InjectFault(a.Device.Definition.Fid, new FunctionFault { Recover = true });
        a.Device.Reset();
        Assert.Equal(0, a.Command(0x01, RawIsm.Body(a.Sba!.Iova)).Ret); // registrations were dropped; bring-up again works
    }

    [Fact]
    public void An_unplugged_function_fails_every_access_with_ENODEV_and_can_be_replugged()
    {
        using var lpar1 = _cec.Cec.AttachLpar("lpar1");
        using var lpar2 = _cec.Cec.AttachLpar("lpar2");
        var a = new RawIsm(lpar1.OpenFunction(_cec.Function("lpar1").Fid)).BringUp();
        using var b = new RawIsm(lpar2.OpenFunction(_cec.Function("lpar2").Fid)).BringUp();
        b.RegisterDmb(4096, 40, a.Gid);

        _cec.Cec.InjectFault(a.Device.Definition.Fid, new FunctionFault { Unplug = true });

        Assert.Throws<VfioDeviceUnavailableException>(() => a.Command(0x03, []));
        Assert.Throws<VfioDeviceUnavailableException>(() => a.Device.GetRegionInfo(0));
        Assert.Contains((1u, 0x07u, a.Gid, 0UL), Enumerable.Range(0, (int)b.IeqIndex).Select(b.IeqEntry));
        a.Dispose();
        Assert.Throws<VfioDeviceUnavailableException>(() => lpar1.OpenFunction(_cec.Function("lpar1").Fid));

        _cec.Cec.InjectFault(_cec.Function("lpar1").Fid, new FunctionFault { Replug = true });
        using var again = new RawIsm(lpar1.OpenFunction(_cec.Function("lpar1").Fid)).BringUp();
        Assert.Equal(0, again.Command(0x03, []).Ret);
    }

    [Fact]
    public void Injected_command_failures_answer_the_given_ret_for_the_given_count_then_stop()
    {
        using var lpar1 = _cec.Cec.AttachLpar("lpar1");
        using var a = new RawIsm(lpar1.OpenFunction(_cec.Function("lpar1").Fid)).BringUp();
        _cec.Cec.InjectFault(a.Device.Definition.Fid, new FunctionFault { FailCommands = 2, FailCommandCode = 0x03, FailReturnCode = 0x0042 });

        Assert.Equal(0, a.Command(0x08, []).Ret); // other commands are not affected
        Assert.Equal(0x0042, a.Command(0x03, []).Ret);
        Assert.Equal(0x0042, a.Command(0x03, []).Ret);
        Assert.Equal(0, a.Command(0x03, []).Ret);
    }

    [Fact]
    public void Lost_interrupts_still_set_the_sba_bits_and_late_interrupts_arrive_late()
    {
        using var lpar1 = _cec.Cec.AttachLpar("lpar1");
        using var lpar2 = _cec.Cec.AttachLpar("lpar2");
        using var a = new RawIsm(lpar1.OpenFunction(_cec.Function("lpar1").Fid)).BringUp();
        using var b = new RawIsm(lpar2.OpenFunction(_cec.Function("lpar2").Fid)).BringUp();
        var (_, token, _) = a.RegisterDmb(4096, 40, b.Gid);

        _cec.Cec.InjectFault(a.Device.Definition.Fid, new FunctionFault { LoseInterrupts = 1 });
        b.Device.Write((long)(token | (1UL << 23)), new byte[8]);
        Assert.Equal(0, a.Msi!.Wait(TimeSpan.FromMilliseconds(100)));
        Assert.NotEqual(0, a.Sba!.Span[4 + 5]);
        Assert.Equal(1, _cec.Cec.Snapshot().Functions.Single(f => f.Fid == a.Device.Definition.Fid).Statistics.LostInterrupts);

        _cec.Cec.InjectFault(a.Device.Definition.Fid, new FunctionFault { DelayInterruptsMicroseconds = 200_000 });
        b.Device.Write((long)(token | (1UL << 23)), new byte[8]);
        Assert.Equal(0, a.Msi.TryConsume());
        Assert.Equal(1, a.Msi.Wait(TimeSpan.FromSeconds(10)));

        _cec.Cec.InjectFault(a.Device.Definition.Fid, new FunctionFault { ClearAll = true });
        Assert.Empty(_cec.Cec.Snapshot().Functions.Single(f => f.Fid == a.Device.Definition.Fid).Faults);
    }

    [Fact]
    public void Creating_a_cec_over_an_existing_one_is_refused_and_opening_a_missing_one_names_the_file()
    {
        Assert.Throws<IOException>(() => EmulatedCec.Create(_cec.Directory, _cec.Definition));
        var missing = Path.Combine(_cec.Directory, "nothing-here");
        var e = Assert.Throws<FileNotFoundException>(() => EmulatedCec.Open(missing));
        Assert.Contains("cec.json", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_damaged_state_file_is_reported_not_mapped()
    {
        _cec.CheckIommuFaultsAtEnd = false; // the fixture's own view of the file is gone with it
        File.WriteAllBytes(Path.Combine(_cec.Directory, "cec.state"), new byte[100]);
        var e = Assert.Throws<InvalidDataException>(() => EmulatedCec.Open(_cec.Directory));
        Assert.Contains("cec.state", e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _cec.Dispose();
}
