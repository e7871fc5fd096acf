using System.Diagnostics;
using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation.Tests;

/// <summary>
/// What a process stopped or killed inside the CEC's critical sections leaves behind, made by hand through a second
/// view of the shared state (as another process would have it), and what the next user of the CEC finds.
/// </summary>
public sealed unsafe class CrashRepairTests : IDisposable
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(15);
    private readonly TwoFunctions _pair = new();
    private readonly CecMachine _other;

    public CrashRepairTests()
    {
        _other = CecMachine.Open(_pair.Cec.Directory);
    }

    private byte* FunctionA => _other.Function(_other.FunctionIndexByFid(_pair.Cec.Function("lpar1").Fid));

    private byte* FunctionB => _other.Function(_other.FunctionIndexByFid(_pair.Cec.Function("lpar2").Fid));

    [Fact]
    public void A_register_cut_short_inside_the_lock_leaks_neither_its_slot_nor_its_count()
    {
        var (ret, _, _) = _pair.A.RegisterDmb(4096, 40, _pair.B.Gid);
        Assert.Equal(0, ret);

        // A process died between REG_DMB's stores: slot 50 marked and counted, the entry never published, and its pid
        // still in the lock's holder field (it never released).
        var fn = FunctionA;
        *(fn + CecLayout.FSbaSlots + (50 / 8)) |= (byte)(0x80 >> (50 % 8));
        I32(fn, CecLayout.FDmbCount)++;
        I32(_other.Dmb(0) - CecLayout.DmbTable, CecLayout.HLockHolder) = DeadPid();

        var (again, _, _) = _pair.A.RegisterDmb(4096, 50, _pair.B.Gid);
        Assert.Equal(EmulatedReturnCode.Ok, again);
        Assert.Equal(2, I32(fn, CecLayout.FDmbCount));
    }

    [Fact]
    public void A_stopped_holder_of_the_cec_lock_makes_commands_answer_busy_within_the_bound_instead_of_hanging()
    {
        var sw = Stopwatch.StartNew();
        ushort ret;
        using (_other.LockCec())
        {
            ret = Within(() => _pair.A.RegisterDmb(4096, 40, _pair.B.Gid).Ret, "REG_DMB still waited for the CEC lock");
        }

        Assert.Equal(EmulatedReturnCode.Busy, ret);
        Assert.InRange(sw.Elapsed, CecLock.MaxWait, CecLock.MaxWait + TimeSpan.FromSeconds(3));
        Assert.Equal(EmulatedReturnCode.Ok, _pair.A.RegisterDmb(4096, 40, _pair.B.Gid).Ret); // nothing was left half-done
    }

    [Fact]
    public void An_unregister_waits_a_bounded_time_for_a_stopped_move_then_answers_busy_and_finishes_once_the_move_is_gone()
    {
        var (_, token, _) = _pair.A.RegisterDmb(4096, 40, _pair.B.Gid);

        // B is inside a move into the DMB (its hazard names it) and stopped there.
        Volatile.Write(ref U64(FunctionB, CecLayout.FHazard), token);
        ushort unregister;
        try
        {
            unregister = Within(() => _pair.A.Command(0x0B, RawIsm.Body(token)).Ret, "UNREG_DMB still waited for the move");
        }
        catch
        {
            Volatile.Write(ref U64(FunctionB, CecLayout.FHazard), 0UL); // lets a hung unregister end, so the failure is reported
            throw;
        }

        Assert.Equal(EmulatedReturnCode.Busy, unregister);
        Assert.Throws<Vfio.VfioIoException>(() => _pair.B.Device.Write((long)token, new byte[8])); // no new move starts
        Assert.Equal(1, I32(FunctionA, CecLayout.FDmbCount)); // the slot stays taken while the move may still land

        // The move ends; the repair pass (any process's watchdog, cec show) frees the DMB.
        Volatile.Write(ref U64(FunctionB, CecLayout.FHazard), 0UL);
        _pair.Cec.Cec.Repair();
        Assert.Equal(0, I32(FunctionA, CecLayout.FDmbCount));
        Assert.Equal(EmulatedReturnCode.NotRegistered, _pair.A.Command(0x0B, RawIsm.Body(token)).Ret);
        Assert.Equal(EmulatedReturnCode.Ok, _pair.A.RegisterDmb(4096, 40, _pair.B.Gid).Ret);
    }

    /// <summary>Runs <paramref name="work"/> on its own thread; fails (leaving it to finish later) when it takes longer than <see cref="Hang"/>.</summary>
    private static T Within<T>(Func<T> work, string hung)
    {
        T result = default!;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                result = work();
            }
            catch (Exception e)
            {
                failure = e;
            }
        }) { IsBackground = true };
        thread.Start();
        Assert.True(thread.Join(Hang), $"{hung} after {Hang.TotalSeconds} s");
        return failure is null ? result : throw new InvalidOperationException("the command failed", failure);
    }

    private static int DeadPid()
    {
        using var child = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        child.WaitForExit();
        return child.Id;
    }

    public void Dispose()
    {
        _other.Dispose();
        _pair.Dispose();
    }
}
