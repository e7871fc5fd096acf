using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>
/// An emulated CEC seen from outside any LPAR: create it, look at it, inject faults, repair what dead processes left.
/// LPAR processes use <see cref="EmulatedLpar.Attach"/> instead.
/// </summary>
public sealed unsafe class EmulatedCec : IDisposable
{
    private readonly CecMachine _machine;

    private EmulatedCec(CecMachine machine) => _machine = machine;

    /// <summary>The CEC directory.</summary>
    public string Directory => _machine.Directory;

    /// <summary>The CEC's static shape.</summary>
    public CecDefinition Definition => _machine.Definition;

    /// <summary>True when <paramref name="directory"/> holds a CEC.</summary>
    public static bool Exists(string directory) => CecMachine.Exists(directory);

    /// <summary>
    /// Creates a CEC in <paramref name="directory"/> (refusing to overwrite one) and opens it. A definition the
    /// emulator cannot hold is refused before anything is written (<see cref="ArgumentException"/> naming the field
    /// and the accepted values).
    /// </summary>
    public static EmulatedCec Create(string directory, CecDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        if (CecDefinitionRules.FirstProblem(definition) is { } problem)
        {
            throw new ArgumentException($"invalid CEC definition: {problem}", nameof(definition));
        }

        CecMachine.Create(directory, definition);
        return Open(directory);
    }

    /// <summary>Opens the CEC in <paramref name="directory"/>.</summary>
    public static EmulatedCec Open(string directory) => new(CecMachine.Open(directory));

    /// <summary>Attaches this process to one LPAR of this CEC (shorthand for <see cref="EmulatedLpar.Attach"/>).</summary>
    public EmulatedLpar AttachLpar(string name) => EmulatedLpar.Attach(Directory, name);

    /// <summary>Reclaims what LPARs whose process died still held; returns their names.</summary>
    public IReadOnlyList<string> Repair() => _machine.Repair(full: true);

    /// <summary>The CEC as it is now: LPARs, functions, DMBs and who owns them. Repairs first.</summary>
    public CecSnapshot Snapshot()
    {
        _machine.Repair(full: true);
        var def = _machine.Definition;
        var lpars = new List<LparSnapshot>();
        for (var l = 0; l < def.Lpars.Count; l++)
        {
            var e = _machine.Lpar(l);
            var attached = (LparState)Volatile.Read(ref I32(e, CecLayout.LState)) == LparState.Attached;
            lpars.Add(new LparSnapshot(def.Lpars[l].Name, attached, attached ? I32(e, CecLayout.LPid) : null, def.Lpars[l].MemoryBytes));
        }

        var functions = new List<FunctionSnapshot>();
        for (var f = 0; f < def.Functions.Count; f++)
        {
            var fn = _machine.Function(f);
            var d = def.Functions[f];
            var vlans = new List<ushort>();
            for (var i = 0; i < Math.Min(U32(fn, CecLayout.FVlanCount), CecLayout.MaxVlans); i++)
            {
                vlans.Add(U16(fn, CecLayout.FVlans + (i * 2)));
            }

            var pid = I32(fn, CecLayout.FPid);
            functions.Add(new FunctionSnapshot(
                d.Fid, d.Lpar, d.Chid, d.Gid, d.Pnetid, d.Vfn,
                _machine.StateOf(f).ToString().ToLowerInvariant(),
                pid == 0 ? null : pid,
                U64(fn, CecLayout.FSbaIova) != 0,
                U64(fn, CecLayout.FIeqIova) != 0,
                I32(fn, CecLayout.FDmbCount),
                vlans,
                DescribeFaults(fn),
                new FunctionStatistics(
                    I64(fn, CecLayout.FStatMoves), I64(fn, CecLayout.FStatMoveBytes), I64(fn, CecLayout.FStatRejectedMoves),
                    I64(fn, CecLayout.FStatSignals), I64(fn, CecLayout.FStatEvents), I64(fn, CecLayout.FStatInterrupts),
                    I64(fn, CecLayout.FStatLostInterrupts), I64(fn, CecLayout.FStatCommands), I64(fn, CecLayout.FStatIommuFaults)),
                (long)I32(fn, CecLayout.FMappedPages) * CecLayout.PageSize,
                IommuFaults.DescribeLast(fn)));
        }

        var dmbs = new List<DmbSnapshot>();
        for (var i = 1; i < CecLayout.DmbCapacity; i++)
        {
            var dmb = _machine.Dmb(i);
            if (Volatile.Read(ref I32(dmb, CecLayout.DState)) != (int)DmbState.Registered)
            {
                continue;
            }

            var owner = def.Functions[I32(dmb, CecLayout.DOwner)];
            dmbs.Add(new DmbSnapshot(
                U64(dmb, CecLayout.DToken), owner.Fid, owner.Lpar, owner.Gid, U64(dmb, CecLayout.DRgid),
                (int)U32(dmb, CecLayout.DLength), (int)U32(dmb, CecLayout.DSbaIndex),
                U32(dmb, CecLayout.DVlanValid) != 0 ? (ushort)U32(dmb, CecLayout.DVlanId) : null,
                DateTimeOffset.FromUnixTimeMilliseconds(I64(dmb, CecLayout.DRegisteredAt))));
        }

        return new CecSnapshot(def.Name, Directory, lpars, functions, dmbs);
    }

    private static List<string> DescribeFaults(byte* fn)
    {
        var faults = new List<string>();
        if (I32(fn, CecLayout.FFailCommands) > 0)
        {
            var code = U32(fn, CecLayout.FFailCommandCode);
            faults.Add($"fail-commands={I32(fn, CecLayout.FFailCommands)}{(code != 0 ? $" code=0x{code:x2}" : "")} ret=0x{U32(fn, CecLayout.FFailRet):x4}");
        }

        if (I32(fn, CecLayout.FLoseInterrupts) > 0)
        {
            faults.Add($"lose-interrupts={I32(fn, CecLayout.FLoseInterrupts)}");
        }

        if (U32(fn, CecLayout.FLoseInterruptPermille) > 0)
        {
            faults.Add($"lose-interrupt-rate={U32(fn, CecLayout.FLoseInterruptPermille)}/1000");
        }

        if (U32(fn, CecLayout.FDelayInterruptUs) > 0)
        {
            faults.Add($"late-interrupts={U32(fn, CecLayout.FDelayInterruptUs)}us");
        }

        if (U32(fn, CecLayout.FMoveDelayUs) > 0)
        {
            faults.Add($"slow-moves={U32(fn, CecLayout.FMoveDelayUs)}us");
        }

        if (IommuFaults.DescribeLast(fn) is { } iommuFault)
        {
            faults.Add($"iommu-fault: {iommuFault}");
        }

        return faults;
    }

    /// <summary>Injects <paramref name="fault"/> into function <paramref name="fid"/>.</summary>
    public void InjectFault(uint fid, FunctionFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        var index = _machine.FunctionIndexByFid(fid);
        if (index < 0)
        {
            throw new ArgumentException(
                $"the CEC has no function 0x{fid:x} (it has {string.Join(", ", Definition.Functions.Select(f => $"0x{f.Fid:x}"))})", nameof(fid));
        }

        var exclusive = new[] { fault.EnterErrorState, fault.Recover, fault.Unplug, fault.Replug }.Count(b => b);
        if (exclusive > 1)
        {
            throw new ArgumentException("enter-error, recover, unplug and replug exclude each other", nameof(fault));
        }

        var fn = _machine.Function(index);
        using (_machine.LockCec())
        {
            if (fault.ClearAll)
            {
                Volatile.Write(ref I32(fn, CecLayout.FFailCommands), 0);
                Volatile.Write(ref I32(fn, CecLayout.FLoseInterrupts), 0);
                Volatile.Write(ref U32(fn, CecLayout.FLoseInterruptPermille), 0u);
                Volatile.Write(ref U32(fn, CecLayout.FDelayInterruptUs), 0u);
                Volatile.Write(ref U32(fn, CecLayout.FMoveDelayUs), 0u);
            }

            if (fault.FailCommands is { } n)
            {
                U32(fn, CecLayout.FFailCommandCode) = fault.FailCommandCode;
                U32(fn, CecLayout.FFailRet) = fault.FailReturnCode;
                Volatile.Write(ref I32(fn, CecLayout.FFailCommands), Math.Max(0, n));
            }

            if (fault.LoseInterrupts is { } lose)
            {
                Volatile.Write(ref I32(fn, CecLayout.FLoseInterrupts), Math.Max(0, lose));
            }

            if (fault.LoseInterruptsPerMille is { } permille)
            {
                Volatile.Write(ref U32(fn, CecLayout.FLoseInterruptPermille), (uint)Math.Clamp(permille, 0, 1000));
            }

            if (fault.DelayInterruptsMicroseconds is { } delay)
            {
                Volatile.Write(ref U32(fn, CecLayout.FDelayInterruptUs), (uint)Math.Max(0, delay));
            }

            if (fault.SlowMovesMicroseconds is { } slow)
            {
                Volatile.Write(ref U32(fn, CecLayout.FMoveDelayUs), (uint)Math.Max(0, slow));
            }

            var state = _machine.StateOf(index);
            if (fault.EnterErrorState)
            {
                _machine.EnterErrorStateLocked(index);
            }
            else if (fault.Recover && state == FunctionState.Error)
            {
                var next = I32(fn, CecLayout.FPid) != 0 ? FunctionState.InUse : FunctionState.Ready;
                Volatile.Write(ref I32(fn, CecLayout.FState), (int)next);
                _machine.RaiseInterrupt(index);
            }
            else if (fault.Unplug && state != FunctionState.Unplugged)
            {
                Volatile.Write(ref I32(fn, CecLayout.FState), (int)FunctionState.Unplugged);
                _machine.DisableFunctionLocked(index, DisableReason.Unplugged);
            }
            else if (fault.Replug && state == FunctionState.Unplugged)
            {
                I32(fn, CecLayout.FPid) = 0;
                Volatile.Write(ref I32(fn, CecLayout.FState), (int)FunctionState.Ready);
            }
        }
    }

    /// <summary>
    /// Every IOMMU fault any function of this CEC took, one line per function ("function 0x10 (lpar1): 1 IOMMU fault:
    /// unmap of IOVA 0x… while …"); empty when none. A driver that unregisters before it unmaps never causes one, so
    /// tests assert this is empty when they end.
    /// </summary>
    public IReadOnlyList<string> IommuFaultReport()
    {
        var report = new List<string>();
        for (var f = 0; f < Definition.Functions.Count; f++)
        {
            var fn = _machine.Function(f);
            if (IommuFaults.DescribeLast(fn) is { } last)
            {
                var d = Definition.Functions[f];
                report.Add($"function 0x{d.Fid:x} ({d.Lpar}): {I64(fn, CecLayout.FStatIommuFaults)} IOMMU fault(s), the last: {last}");
            }
        }

        return report;
    }

    /// <summary>Unmaps the CEC's files from this process.</summary>
    public void Dispose() => _machine.Dispose();
}
