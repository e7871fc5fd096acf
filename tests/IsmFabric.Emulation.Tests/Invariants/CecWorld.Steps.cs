using System.Buffers.Binary;
using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation.Tests.Invariants;

// The steps: raw commands and stores as spec §2 describes them, faults from outside, process deaths.
internal sealed unsafe partial class CecWorld
{
    private const ulong UnknownGid = 0x0BAD_0000_0000_0001;

    private ulong GidOf(int target) => target < FunctionCount ? Definition(target).Gid : UnknownGid;

    private void Run(CecOperation op)
    {
        switch (op)
        {
            case RegisterDmb r when Up(r.Fn) is { } f:
                var iova = r.IovaOffset < 0 ? 0xFFFF_FFFF_0000_0000UL : f.Area.Iova + (ulong)r.IovaOffset;
                var (ret, response) = f.Raw.Command(0x0A, RawIsm.RegDmbBody(iova, r.Length, r.Slot, GidOf(r.Rgid)));
                if (ret == 0)
                {
                    _tokens.Add(BinaryPrimitives.ReadUInt64BigEndian(response.AsSpan(8)));
                    Log.Add($"  ret 0: token#{_tokens.Count - 1} = 0x{_tokens[^1]:x}");
                }
                else
                {
                    Log.Add($"  ret {ret}");
                }

                break;
            case UnregisterDmb u when Up(u.Fn) is { } f:
                var token = Resolve(u.Fn, u.Token);
                Log.Add($"  UNREG_DMB 0x{token:x}: ret {f.Raw.Command(0x0B, RawIsm.Body(token)).Ret}");
                break;
            case Move m when Up(m.Fn) is { } f:
                var target = Resolve(m.Fn, m.Token);
                var address = target | ((ulong)m.Dmbe << 24) | (m.Signal ? 1UL << 23 : 0) | (uint)m.Offset;
                f.Raw.Device.Write(RawIsm.Bar0 + (long)address, new byte[m.Length]);
                Log.Add($"  store into 0x{target:x} landed");
                break;
            case SignalEvent s when Up(s.Fn) is { } f:
                Log.Add($"  ret {f.Raw.Command(0x0E, RawIsm.SignalBody(GidOf(s.Target), s.Code, s.Info)).Ret}");
                break;
            case QueryRemoteGid q when Up(q.Fn) is { } f:
                Log.Add($"  ret {f.Raw.Command(0x09, RawIsm.Body(GidOf(q.Target), 0)).Ret}");
                break;
            case RawCommand c when Up(c.Fn) is { } f:
                var body = new byte[Math.Clamp(c.Length - 8, 0, 128)];
                body.AsSpan().Fill(c.Fill);
                Log.Add($"  ret {f.Raw.Command(c.Code, body, c.Length).Ret}");
                break;
            case InjectFault i:
                Cec.InjectFault(Definition(i.Fn).Fid, Fault(i));
                Log.Add($"  fn{i.Fn} is {View.StateOf(i.Fn)}");
                break;
            case ResetFunction r when Up(r.Fn) is { } f:
                f.Raw.Device.Reset();
                RegisterQueues(f); // as a driver brings a function up again after a reset
                Log.Add("  reset, SBA and IEQ registered again");
                break;
            case CloseFunction c:
                Close(c.Fn);
                break;
            case Detach d:
                Detach(d.Lpar);
                break;
            case Kill k:
                Kill(k.Lpar);
                break;
            case StopInMove s:
                StopInMove(s.Fn, s.Nth);
                break;
            case Resume r:
                Resume(r.Nth);
                break;
            case DieInsideLock d when Up(d.Fn) is not null:
                DieInsideLock(d);
                break;
        }
    }

    private static FunctionFault Fault(InjectFault i) => i.Kind switch
    {
        FaultKind.EnterError => new FunctionFault { EnterErrorState = true },
        FaultKind.Recover => new FunctionFault { Recover = true },
        FaultKind.Unplug => new FunctionFault { Unplug = true },
        FaultKind.Replug => new FunctionFault { Replug = true },
        FaultKind.FailCommands => new FunctionFault { FailCommands = i.Count },
        FaultKind.LoseInterrupts => new FunctionFault { LoseInterrupts = i.Count },
        _ => new FunctionFault { ClearAll = true },
    };

    /// <summary>
    /// The LPAR's process dies holding the CEC lock halfway through a change of the function's tables: the torn
    /// state is written under the lock, the holder field keeps a pid (the kernel drops the flock, not the field), and
    /// the process is gone.
    /// </summary>
    private void DieInsideLock(DieInsideLock d)
    {
        var fn = View.Function(d.Fn);
        var token = Resolve(d.Fn, d.Token);
        var dmb = View.Dmb((int)((token >> 32) & 0xFFFF));
        var owned = I32(dmb, CecLayout.DOwner) == d.Fn && U64(dmb, CecLayout.DToken) == token
            && I32(dmb, CecLayout.DState) is (int)DmbState.Registered or (int)DmbState.Unregistering;
        using (View.LockCec())
        {
            switch (d.Where)
            {
                case TornWrite.RegisterBeforePublish:
                    *(fn + CecLayout.FSbaSlots + (d.Slot / 8)) |= (byte)(0x80 >> (int)(d.Slot % 8));
                    I32(fn, CecLayout.FDmbCount)++;
                    break;
                case TornWrite.UnregisterBeforeFree when owned:
                    I32(dmb, CecLayout.DState) = (int)DmbState.Unregistering;
                    break;
                case TornWrite.FreeBeforeMark when owned:
                    var slot = (int)U32(dmb, CecLayout.DSbaIndex);
                    *(fn + CecLayout.FSbaSlots + (slot / 8)) &= (byte)~(0x80 >> (slot % 8));
                    I32(fn, CecLayout.FDmbCount)--;
                    I32(dmb, CecLayout.DState) = (int)DmbState.Unregistering;
                    break;
                case TornWrite.GarbageEntry:
                    var garbage = View.Dmb(65000 + (int)d.Slot);
                    I32(garbage, CecLayout.DOwner) = d.Fn;
                    U32(garbage, CecLayout.DSbaIndex) = d.Slot;
                    I32(garbage, CecLayout.DState) = 3;
                    break;
            }
        }

        I32(View.Dmb(0) - CecLayout.DmbTable, CecLayout.HLockHolder) = DeadHolderPid;
        Log.Add($"  torn: {d.Where}{(owned || d.Where is TornWrite.RegisterBeforePublish or TornWrite.GarbageEntry ? "" : " (not its DMB: nothing torn)")}");
        Kill(LparOf(d.Fn));
    }
}
