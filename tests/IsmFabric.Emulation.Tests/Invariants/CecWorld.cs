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
    /// The function's device, brought up (MSI, SBA, IEQ) with a 128 KiB area for DMBs (touched memory costs time); its LPAR is attached first. Null
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
            function = new Function(raw, raw.Device.AllocateDma(4096), raw.Device.AllocateDma(4096), raw.Device.AllocateDma(128 << 10));
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

    private void StopInMove(int fn, int nth)
    {
        if (Up(fn) is null)
        {
            return;
        }

        // A mover publishes its hazard only once its checks passed (the DMB registered for its GID on its CHID, the
        // owner in use); then it copies. Stopped there, the DMB must not be freed under it.
        var writable = Live().Where(t => MayWrite(fn, Index(t))).ToList();
        if (writable.Count == 0)
        {
            return;
        }

        var token = writable[nth % writable.Count];
        Volatile.Write(ref U64(View.Function(fn), CecLayout.FHazard), token);
        Stopped[LparOf(fn)] = new StoppedMove(fn, token);
        Log.Add($"  lpar{LparOf(fn) + 1} stopped in a store of fn{fn} into 0x{token:x}, its copy in flight");
    }

    private bool MayWrite(int fn, int index)
    {
        var dmb = View.Dmb(index);
        if (I32(dmb, CecLayout.DState) != (int)DmbState.Registered)
        {
            return false;
        }

        var owner = I32(dmb, CecLayout.DOwner);
        return U64(dmb, CecLayout.DRgid) == Definition(fn).Gid && Definition(owner).Chid == Definition(fn).Chid
            && View.StateOf(owner) == FunctionState.InUse && View.StateOf(fn) == FunctionState.InUse;
    }

    private void Resume(int nth)
    {
        var stopped = Enumerable.Range(0, LparCount).Where(l => Stopped[l] is not null).ToList();
        if (stopped.Count > 0)
        {
            // The store completes and the mover clears its hazard (Move's finally).
            var l = stopped[nth % stopped.Count];
            Volatile.Write(ref U64(View.Function(Stopped[l]!.Fn), CecLayout.FHazard), 0UL);
            Log.Add($"  lpar{l + 1} continues; its store into 0x{Stopped[l]!.Token:x} completes");
            Stopped[l] = null;
        }
    }

    /// <summary>The token a step of function <paramref name="fn"/> names (a made-up one before any was handed out).</summary>
    private ulong Resolve(int fn, TokenRef token)
    {
        var fits = token.Kind switch
        {
            TokenKind.Own => Live().Where(t => I32(View.Dmb(Index(t)), CecLayout.DOwner) == fn).ToList(),
            TokenKind.Writable => Live().Where(t => MayWrite(fn, Index(t))).ToList(),
            TokenKind.InFlight => Stopped.OfType<StoppedMove>().Select(s => s.Token)
                .Where(t => Live().Contains(t) && I32(View.Dmb(Index(t)), CecLayout.DOwner) == fn).ToList(),
            _ => [],
        };
        return token.Kind == TokenKind.Raw ? token.Raw
            : fits.Count > 0 ? fits[token.N % fits.Count]
            : _tokens.Count == 0 ? 1UL << 32 : _tokens[token.N % _tokens.Count];
    }

    /// <summary>The tokens handed out whose DMB is still in the table (registered or unregistering).</summary>
    private IEnumerable<ulong> Live() => _tokens.Distinct().Where(t =>
        U64(View.Dmb(Index(t)), CecLayout.DToken) == t && I32(View.Dmb(Index(t)), CecLayout.DState) != (int)DmbState.Free);

    private static int Index(ulong token) => (int)((token >> 32) & 0xFFFF);

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
            if (Stopped[l] is not null)
            {
                Resume(0);
            }

            _lpars[l]?.Dispose();
        }

        View.Dispose();
        _cec.Dispose();
    }

    /// <summary>An open function with its SBA and IEQ pages and the area its DMBs are registered in.</summary>
    private sealed record Function(RawIsm Raw, DmaBuffer Sba, DmaBuffer Ieq, DmaBuffer Area);
}
