using IsmFabric.Vfio;
using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation.Tests.Invariants;

/// <summary>
/// A fresh emulated CEC (three LPARs, two functions each) driven by <see cref="CecOperation"/> steps in this process:
/// one <see cref="EmulatedLpar"/> per living LPAR "process", raw commands and stores on the functions, faults from
/// outside, stops and kills. It keeps what it did in <see cref="Log"/> and what only a model can know (which LPAR is
/// alive, which is stopped inside which store) for <see cref="CecInvariants"/>.
/// </summary>
internal sealed unsafe partial class CecWorld : IDisposable
{
    internal const int LparCount = 3;
    internal const int FunctionCount = 6;

    /// <summary>What a process that died inside the CEC lock leaves in the holder field (any pid but 0 will do).</summary>
    private const int DeadHolderPid = int.MaxValue - 1;

    private readonly CecFixture _cec = new(lpars: LparCount, functionsPerLpar: 2);
    private readonly EmulatedLpar?[] _lpars = new EmulatedLpar?[LparCount];
    private readonly Function?[] _functions = new Function?[FunctionCount];
    private readonly List<ulong> _tokens = [];

    internal CecWorld()
    {
        View = CecMachine.Open(_cec.Directory);
    }

    /// <summary>A newcomer's view of the CEC: the invariants read the tables through it, torn writes are made with it.</summary>
    internal CecMachine View { get; }

    internal EmulatedCec Cec => _cec.Cec;

    /// <summary>Per LPAR: the store its process is stopped in (SIGSTOP), or null.</summary>
    internal StoppedMove?[] Stopped { get; } = new StoppedMove?[LparCount];

    /// <summary>What each step did, for the counterexample.</summary>
    internal List<string> Log { get; } = [];

    internal bool IsAlive(int lpar) => _lpars[lpar] is not null;

    internal FunctionDefinition Definition(int fn) => _cec.Definition.Functions[fn];

    private static int LparOf(int fn) => fn / 2;

    /// <summary>Carries out one step. Device errors (VfioException) are outcomes, logged; anything else fails the run.</summary>
    internal void Apply(CecOperation op)
    {
        var before = Log.Count;
        try
        {
            Run(op);
        }
        catch (VfioException e)
        {
            Log.Add($"  {e.GetType().Name}: {e.Message}");
            if (e is VfioDeviceUnavailableException && FunctionOf(op) is { } fn && _functions[fn] is { } gone)
            {
                // The function was unplugged or taken away: a driver closes its device and may open it again later.
                gone.Raw.Dispose();
                _functions[fn] = null;
            }
        }

        if (Log.Count == before)
        {
            Log.Add("  (nothing to do)");
        }
    }

    /// <summary>
    /// The function's device, brought up (MSI, SBA, IEQ) with a 1 MiB area for DMBs; its LPAR is attached first. Null
    /// when its LPAR is stopped or the function cannot be opened now (unplugged).
    /// </summary>
    private Function? Up(int fn)
    {
        var l = LparOf(fn);
        if (Stopped[l] is not null)
        {
            Log.Add($"  lpar{l + 1} is stopped: it takes no step");
            return null;
        }

        if (_functions[fn] is { } up)
        {
            return up;
        }

        var lpar = _lpars[l] ??= Cec.AttachLpar($"lpar{l + 1}");
        var raw = new RawIsm(lpar.OpenFunction(Definition(fn).Fid));
        Function function;
        try
        {
            function = new Function(raw, raw.Device.AllocateDma(4096), raw.Device.AllocateDma(4096), raw.Device.AllocateDma(1 << 20));
        }
        catch
        {
            raw.Dispose();
            throw;
        }

        _functions[fn] = function;
        raw.Device.EnableMsi();
        RegisterQueues(function);
        Log.Add($"  fn{fn} opened and brought up");
        return function;
    }

    private static void RegisterQueues(Function f)
    {
        f.Raw.Command(0x01, RawIsm.Body(f.Sba.Iova));
        f.Raw.Command(0x02, RawIsm.Body(f.Ieq.Iova, 512));
    }

    private void Detach(int l)
    {
        if (_lpars[l] is not { } lpar || Stopped[l] is not null)
        {
            return;
        }

        lpar.Dispose();
        Forget(l);
        Log.Add($"  lpar{l + 1} detached");
    }

    private void Kill(int l)
    {
        if (_lpars[l] is not { } lpar)
        {
            return;
        }

        lpar.AbandonAsIfKilled();
        Forget(l);
        Stopped[l] = null; // a store it was stopped in is no longer in flight: the process is gone
        Log.Add($"  lpar{l + 1} killed");
    }

    private void Forget(int l)
    {
        _lpars[l] = null;
        _functions[2 * l] = _functions[(2 * l) + 1] = null;
    }

    private void Close(int fn)
    {
        if (Stopped[LparOf(fn)] is null && _functions[fn] is { } f)
        {
            f.Raw.Dispose();
            _functions[fn] = null;
            Log.Add($"  fn{fn} closed");
        }
    }

    private void StopInMove(int fn, TokenRef token)
    {
        if (Up(fn) is null)
        {
            return;
        }

        // A mover publishes its hazard, then re-checks the DMB: if it is registered then, the copy is in flight.
        var value = Resolve(token);
        var index = (int)((value >> 32) & 0xFFFF);
        var dmb = View.Dmb(index);
        var copying = index != 0 && I32(dmb, CecLayout.DState) == (int)DmbState.Registered && U64(dmb, CecLayout.DToken) == value;
        Volatile.Write(ref U64(View.Function(fn), CecLayout.FHazard), value);
        Stopped[LparOf(fn)] = new StoppedMove(fn, value, copying);
        Log.Add($"  lpar{LparOf(fn) + 1} stopped in a store of fn{fn} into 0x{value:x}{(copying ? " (copy in flight)" : " (the re-check will refuse it)")}");
    }

    private void Resume(int fn)
    {
        if (Stopped[LparOf(fn)] is { } stopped)
        {
            // The store completes and the mover clears its hazard (Move's finally).
            Volatile.Write(ref U64(View.Function(stopped.Fn), CecLayout.FHazard), 0UL);
            Stopped[LparOf(fn)] = null;
            Log.Add($"  lpar{LparOf(fn) + 1} continues; its store into 0x{stopped.Token:x} completes");
        }
    }

    /// <summary>The token a reference names: the n-th handed out (modulo how many), a made-up one before any.</summary>
    private ulong Resolve(TokenRef token) =>
        token.Known < 0 ? token.Raw : _tokens.Count == 0 ? 1UL << 32 : _tokens[token.Known % _tokens.Count];

    private static int? FunctionOf(CecOperation op) => op switch
    {
        RegisterDmb o => o.Fn,
        UnregisterDmb o => o.Fn,
        Move o => o.Fn,
        SignalEvent o => o.Fn,
        QueryRemoteGid o => o.Fn,
        RawCommand o => o.Fn,
        ResetFunction o => o.Fn,
        StopInMove o => o.Fn,
        DieInsideLock o => o.Fn,
        _ => null,
    };

    public void Dispose()
    {
        for (var l = 0; l < LparCount; l++)
        {
            if (Stopped[l] is { } stopped)
            {
                Resume(stopped.Fn);
            }

            _lpars[l]?.Dispose();
        }

        View.Dispose();
        _cec.Dispose();
    }

    /// <summary>An open function with its SBA and IEQ pages and the 1 MiB area its DMBs are registered in.</summary>
    private sealed record Function(RawIsm Raw, DmaBuffer Sba, DmaBuffer Ieq, DmaBuffer Area);
}
