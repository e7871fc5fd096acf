using IsmFabric.Vfio;

namespace IsmFabric.Emulation.Tests;

/// <summary>The emulated IOMMU: registrations only on mapped memory, and the fault when memory goes from under the device.</summary>
public sealed class IommuTests : IDisposable
{
    private readonly TwoFunctions _pair = new();

    private FunctionSnapshot A => _pair.Cec.Cec.Snapshot().Functions.Single(f => f.Fid == _pair.A.Device.Definition.Fid);

    [Fact]
    public void Reg_sba_reg_ieq_and_reg_dmb_refuse_memory_the_function_has_not_mapped()
    {
        using var c = new RawIsm(_pair.Lpar2.OpenFunction(_pair.Cec.Function("lpar2", 1).Fid));
        var unmapped = c.Device.AllocateDma(4096);
        var iova = unmapped.Iova;
        unmapped.Dispose(); // never registered: unmapping it is no fault

        Assert.Equal(EmulatedReturnCode.BadAddress, c.Command(0x01, RawIsm.Body(iova)).Ret);
        Assert.Equal(EmulatedReturnCode.BadAddress, c.Command(0x02, RawIsm.Body(iova, 512)).Ret);
        Assert.Equal(EmulatedReturnCode.BadAddress, c.Command(0x0A, RawIsm.RegDmbBody(iova, 4096, 40, _pair.A.Gid)).Ret);

        // Each function is its own IOMMU domain: memory of the same LPAR mapped by another function is not ours.
        var theirs = _pair.B.Device.AllocateDma(8192);
        Assert.Equal(EmulatedReturnCode.BadAddress, c.Command(0x0A, RawIsm.RegDmbBody(theirs.Iova, 4096, 40, _pair.A.Gid)).Ret);

        // A DMB longer than what was mapped reaches past the mapping.
        Assert.Equal(EmulatedReturnCode.BadAddress, _pair.B.Command(0x0A, RawIsm.RegDmbBody(theirs.Iova, 3 * 4096, 41, _pair.A.Gid)).Ret);
        Assert.Equal(0, _pair.B.Command(0x0A, RawIsm.RegDmbBody(theirs.Iova, 2 * 4096, 41, _pair.A.Gid)).Ret);
    }

    [Theory]
    [InlineData("dmb")]
    [InlineData("sba")]
    [InlineData("ieq")]
    public void Unmapping_memory_the_device_still_holds_is_an_iommu_fault_that_puts_the_function_into_error_state(string what)
    {
        _pair.Cec.CheckIommuFaultsAtEnd = false;
        var (_, token, dmbBuffer) = _pair.A.RegisterDmb(4096, 40, _pair.B.Gid);
        var victim = what switch
        {
            "dmb" => dmbBuffer,
            "sba" => _pair.A.Sba!,
            _ => _pair.A.Ieq!,
        };
        var iova = victim.Iova;

        victim.Dispose(); // unmap before unregister: what the driver must never do

        Assert.Equal("error", A.State);
        Assert.Equal(1, A.Statistics.IommuFaults);
        Assert.Contains($"unmap of IOVA 0x{iova:x}", A.LastIommuFault, StringComparison.Ordinal);
        Assert.Equal(0, A.DmbCount);
        Assert.False(A.SbaRegistered);

        // The peer that may write the DMB gets the error-state events of spec §3.4, and its moves are refused.
        var events = Enumerable.Range(0, (int)_pair.B.IeqIndex).Select(_pair.B.IeqEntry).ToList();
        Assert.Contains((0u, 0x02u, token, 0UL), events); // BUF_OWNING_ISM_DEV_IN_ERR_STATE
        Assert.Equal((1u, 0x01u, _pair.A.Gid, 0UL), events[^1]); // DEV_GID_ERR_STATE
        Assert.Throws<VfioIoException>(() => _pair.B.Device.Write((long)token, new byte[8]));
        Assert.Throws<VfioIoException>(() => _pair.A.Command(0x03, []));
    }

    [Fact]
    public void Unregistering_before_unmapping_is_no_fault()
    {
        var (_, token, buffer) = _pair.A.RegisterDmb(4096, 40, _pair.B.Gid);
        Assert.Equal(0, _pair.A.Command(0x0B, RawIsm.Body(token)).Ret);
        buffer.Dispose();
        Assert.Equal(0, _pair.A.Command(0x12, []).Ret);
        _pair.A.Ieq!.Dispose();
        Assert.Equal(0, _pair.A.Command(0x11, []).Ret);
        _pair.A.Sba!.Dispose();

        Assert.Equal("inuse", A.State);
        Assert.Equal(0, A.Statistics.IommuFaults);
        Assert.Null(A.LastIommuFault);
        Assert.Equal(0, A.DmaMappedBytes);
    }

    [Theory]
    [InlineData("move")]
    [InlineData("event")]
    public void A_device_write_into_memory_its_function_no_longer_maps_is_an_iommu_fault(string write)
    {
        _pair.Cec.CheckIommuFaultsAtEnd = false;
        var (_, token, buffer) = _pair.A.RegisterDmb(4096, 40, _pair.B.Gid);

        // The IOMMU loses every translation of LPAR 1 while the device still holds its registrations (as when a
        // process's containers are closed before its devices are reset).
        using (var machine = CecMachine.Open(_pair.Cec.Directory))
        using (machine.LockCec())
        {
            machine.ClearDmaMappingsLocked(machine.LparIndex("lpar1"));
        }

        if (write == "move")
        {
            var e = Assert.Throws<VfioIoException>(() => _pair.B.Device.Write((long)token, new byte[] { 0xAB }));
            Assert.Contains("IOMMU fault", e.Message, StringComparison.Ordinal);
            Assert.Equal(0, buffer.Span[0]); // nothing landed
            Assert.Contains($"device access to IOVA 0x{buffer.Iova:x}", A.LastIommuFault, StringComparison.Ordinal);
        }
        else
        {
            Assert.NotEqual(0, _pair.B.Command(0x0E, RawIsm.SignalBody(_pair.A.Gid, 0x90, 1)).Ret);
            Assert.Contains($"device access to IOVA 0x{_pair.A.Ieq!.Iova:x}", A.LastIommuFault, StringComparison.Ordinal);
        }

        Assert.Equal("error", A.State);
        Assert.Equal(1, A.Statistics.IommuFaults);
        Assert.Contains((0u, 0x02u, token, 0UL), Enumerable.Range(0, (int)_pair.B.IeqIndex).Select(_pair.B.IeqEntry));
    }

    [Fact]
    public unsafe void The_repair_pins_again_what_is_registered_and_only_that()
    {
        _pair.Cec.CheckIommuFaultsAtEnd = false;
        var (_, _, registered) = _pair.A.RegisterDmb(4096, 40, _pair.B.Gid);
        var loose = _pair.A.Device.AllocateDma(4096);

        // A process killed inside the CEC lock can leave the pins wrong both ways: the registered DMB's page unpinned,
        // and a page no registration covers pinned.
        using (var table = new IommuTable(CecFiles.IommuPath(_pair.Cec.Directory, "lpar1"), _pair.Cec.Definition.Lpars[0].MemoryBytes))
        {
            uint* Entry(ulong iova) => table.Entries + (int)((iova - CecLayout.StartDma) / 4096);
            *Entry(registered.Iova) &= 0xFFFF;
            *Entry(loose.Iova) += 1u << 16;
        }

        _pair.Cec.Cec.Snapshot(); // runs the consistency pass

        loose.Dispose();
        Assert.Equal(0, A.Statistics.IommuFaults); // nothing covers it
        registered.Dispose();
        Assert.Equal(1, A.Statistics.IommuFaults); // the DMB still does
        Assert.Contains($"unmap of IOVA 0x{registered.Iova:x}", A.LastIommuFault, StringComparison.Ordinal);
    }

    [Fact]
    public unsafe void Mappings_are_counted_per_function_and_those_of_a_dead_lpar_are_dropped_by_the_reclaim()
    {
        Assert.Equal(2 * 4096, A.DmaMappedBytes); // SBA and IEQ

        // LPAR 3 "died" with memory mapped: its function holds the first pages of its memory, it is marked attached,
        // and nobody holds its lock file. (Mapped first: the other LPARs' watchdogs may reclaim it at any moment.)
        var fid = _pair.Cec.Function("lpar3").Fid;
        using (var machine = CecMachine.Open(_pair.Cec.Directory))
        {
            var lpar = machine.LparIndex("lpar3");
            var function = machine.FunctionIndexByFid(fid);
            machine.MapDma(function, CecLayout.StartDma, 8192);
            Assert.Equal(2, SharedMemory.I32(machine.Function(function), CecLayout.FMappedPages));
            using (machine.LockCec())
            {
                SharedMemory.I32(machine.Lpar(lpar), CecLayout.LState) = (int)LparState.Attached;
            }
        }

        // The reclaim (a watchdog's, or the one a snapshot runs first) drops what the dead LPAR had mapped.
        var snapshot = _pair.Cec.Cec.Snapshot();
        Assert.False(snapshot.Lpars.Single(l => l.Name == "lpar3").Attached);
        Assert.Equal(0, snapshot.Functions.Single(f => f.Fid == fid).DmaMappedBytes);

        // The next process of LPAR 3 gets the same memory and maps it again without a conflict.
        using var lpar3 = _pair.Cec.Cec.AttachLpar("lpar3");
        using var c = new RawIsm(lpar3.OpenFunction(fid)).BringUp();
        Assert.Equal(CecLayout.StartDma, c.Sba!.Iova);
    }

    public void Dispose()
    {
        _pair.Dispose();
    }
}
