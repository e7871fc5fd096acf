using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>
/// One process's view of an emulated CEC: the mapped shared state, the LPAR memory files, the CEC-wide lock and the
/// firmware-side behaviour every process may have to carry out (events, interrupts, reclaiming what dead LPARs
/// held). Any attached process does the work of the "firmware" for the stores it issues; there is no CEC daemon.
/// </summary>
/// <remarks>
/// This type wires the parts together and is the one the devices, LPARs and the CEC talk to; each part lives in its
/// own type: <see cref="CecFiles"/> (the directory's files), <see cref="CecStateFile"/> (the mapped tables),
/// <see cref="LparMemories"/> (IOVA translation), <see cref="IommuMappings"/> and <see cref="IommuFaults"/> (the
/// emulated IOMMU), <see cref="CecLock"/>, <see cref="CecInterrupts"/> (SBA signal bits and the MSI),
/// <see cref="EventQueueWriter"/> (the IEQ), <see cref="FunctionTeardown"/> (unregistering DMBs and disabling
/// functions), <see cref="LparReclaimer"/> (the reclaim pass for dead LPARs) and <see cref="CecConsistency"/> (the
/// tables' repair after a process died inside the lock).
/// </remarks>
internal sealed unsafe class CecMachine : IDisposable
{
    private readonly CecStateFile _state;
    private readonly CecLock _cecLock;
    private readonly LparMemories _memories;
    private readonly IommuMappings _iommu;
    private readonly IommuFaults _faults;
    private readonly CecInterrupts _interrupts;
    private readonly EventQueueWriter _events;
    private readonly FunctionTeardown _teardown;
    private readonly LparReclaimer _reclaimer;
    private readonly CecConsistency _consistency;
    private bool _disposed;

    private CecMachine(string directory, CecDefinition definition)
    {
        Directory = directory;
        Definition = definition;
        _state = new CecStateFile(CecFiles.StatePath(directory), definition.Functions.Count);
        _cecLock = new CecLock(CecFiles.LockPath(directory), _state.Header);
        _memories = new LparMemories(directory, definition);
        _iommu = new IommuMappings(directory, definition, _state, _memories);
        // The teardown needs the event writer, which raises faults: the fault handler finds the teardown when it runs.
        _faults = new IommuFaults(_state, _cecLock, f => _teardown!.EnterErrorStateLocked(f));
        _interrupts = new CecInterrupts(_state, _iommu, _faults);
        _events = new EventQueueWriter(_state, _iommu, _faults, _interrupts);
        _teardown = new FunctionTeardown(_state, _events, _iommu);
        _consistency = new CecConsistency(_state, _teardown, _iommu);
        _reclaimer = new LparReclaimer(directory, definition, _state, _cecLock, _teardown, _consistency, _iommu);
        _cecLock.OnAbandoned(() => _consistency.RepairLocked());
    }

    internal string Directory { get; }

    internal CecDefinition Definition { get; }

    internal int FunctionCount => Definition.Functions.Count;

    internal static bool Exists(string directory) => CecFiles.Exists(directory);

    /// <inheritdoc cref="CecFiles.Create"/>
    internal static void Create(string directory, CecDefinition definition) => CecFiles.Create(directory, definition);

    /// <summary>Opens the CEC under <paramref name="directory"/>: reads its definition and maps its state file.</summary>
    internal static CecMachine Open(string directory) => new(directory, CecFiles.ReadDefinition(directory));

    internal static string LparLockPath(string directory, string lpar) => CecFiles.LparLockPath(directory, lpar);

    // ---- the shared tables ---------------------------------------------------------------------------------------

    internal byte* Lpar(int index) => _state.Lpar(index);

    internal byte* Function(int index) => _state.Function(index);

    internal byte* Dmb(int index) => _state.Dmb(index);

    internal int LparIndex(string name) => Definition.Lpars.ToList().FindIndex(l => l.Name == name);

    internal int FunctionIndexByFid(uint fid)
    {
        for (var f = 0; f < FunctionCount; f++)
        {
            if (Definition.Functions[f].Fid == fid)
            {
                return f;
            }
        }

        return -1;
    }

    internal FunctionState StateOf(int function) => _state.StateOf(function);

    /// <inheritdoc cref="CecStateFile.FunctionByGid"/>
    internal int FunctionByGid(ulong gid, ushort chid) => _state.FunctionByGid(gid, chid);

    // ---- LPAR memory ---------------------------------------------------------------------------------------------

    /// <inheritdoc cref="LparMemories.Memory"/>
    internal LparMemory Memory(int lpar) => _memories.Memory(lpar);

    // ---- the IOMMU -----------------------------------------------------------------------------------------------

    /// <inheritdoc cref="IommuMappings.Map"/>
    internal void MapDma(int function, ulong iova, long length) => _iommu.Map(function, iova, length);

    /// <summary>
    /// Unmaps what <paramref name="function"/> mapped in the range. Unmapping a page that a registration still covers
    /// is an IOMMU fault (firmware still uses the translation): the function enters the error state first, which drops
    /// its registrations after every move in flight into them finished, and only then are the pages unmapped.
    /// </summary>
    internal void UnmapDma(int function, ulong iova, long length)
    {
        using (_cecLock.Enter())
        {
            if (_iommu.FirstPinnedLocked(function, iova, length) is { } inUse)
            {
                _faults.RaiseLocked(function, inUse, IommuFaultKind.UnmapInUse);
            }

            _iommu.UnmapLocked(function, iova, length);
        }
    }

    /// <summary>True when <paramref name="function"/> has the whole range mapped; hold the CEC lock for the answer to stay true.</summary>
    internal bool IsDmaMapped(int function, ulong iova, long length) => _iommu.IsMappedBy(function, I32(Function(function), CecLayout.FLpar), iova, length);

    /// <inheritdoc cref="IommuMappings.Translate"/>
    internal byte* TranslateDma(int function, int lpar, ulong iova, long length) => _iommu.Translate(function, lpar, iova, length);

    /// <inheritdoc cref="IommuMappings.PinLocked"/>
    internal void PinDmaLocked(int function, ulong iova, long length) => _iommu.PinLocked(function, iova, length);

    /// <inheritdoc cref="IommuMappings.ClearLocked"/>
    internal void ClearDmaMappingsLocked(int lpar) => _iommu.ClearLocked(lpar);

    /// <inheritdoc cref="IommuFaults.Raise"/>
    internal void RaiseIommuFault(int function, ulong iova, IommuFaultKind kind) => _faults.Raise(function, iova, kind);

    // ---- locking, reclaim and firmware behaviour -----------------------------------------------------------------

    /// <summary>Takes the CEC-wide lock (bounded: <see cref="CecBusyException"/> when a stopped process keeps it).</summary>
    internal CecLock.Scope LockCec() => _cecLock.Enter();

    /// <inheritdoc cref="CecLock.LongestWait"/>
    internal TimeSpan LongestLockWait => _cecLock.LongestWait;

    /// <inheritdoc cref="LparReclaimer.Repair"/>
    internal IReadOnlyList<string> Repair(bool full = false) => _reclaimer.Repair(full);

    /// <inheritdoc cref="LparReclaimer.ReclaimLparLocked"/>
    internal void ReclaimLparLocked(int lpar) => _reclaimer.ReclaimLparLocked(lpar);

    /// <inheritdoc cref="FunctionTeardown.DisableFunctionLocked"/>
    internal void DisableFunctionLocked(int function, DisableReason reason) => _teardown.DisableFunctionLocked(function, reason);

    /// <inheritdoc cref="FunctionTeardown.EnterErrorStateLocked"/>
    internal void EnterErrorStateLocked(int function) => _teardown.EnterErrorStateLocked(function);

    /// <inheritdoc cref="FunctionTeardown.UnregisterSbaLocked"/>
    internal bool UnregisterSbaLocked(int function) => _teardown.UnregisterSbaLocked(function);

    /// <inheritdoc cref="FunctionTeardown.UnregisterIeqLocked"/>
    internal bool UnregisterIeqLocked(int function) => _teardown.UnregisterIeqLocked(function);

    /// <inheritdoc cref="FunctionTeardown.UnregisterDmbLocked"/>
    internal bool UnregisterDmbLocked(int index) => _teardown.UnregisterDmbLocked(index);

    /// <inheritdoc cref="FunctionTeardown.TryFreeLocked"/>
    internal bool TryFreeLocked(int index) => _teardown.TryFreeLocked(index);

    /// <inheritdoc cref="EventQueueWriter.Post"/>
    internal bool PostEvent(int function, uint type, uint code, ulong token, ulong info) => _events.Post(function, type, code, token, info);

    /// <inheritdoc cref="CecInterrupts.SignalDmb"/>
    internal void SignalDmb(int owner, int sbaIndex, int dmbeIndex) => _interrupts.SignalDmb(owner, sbaIndex, dmbeIndex);

    /// <inheritdoc cref="CecInterrupts.Raise"/>
    internal void RaiseInterrupt(int function) => _interrupts.Raise(function);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _iommu.Dispose();
        _memories.Dispose();
        _state.Dispose();
        _cecLock.Dispose();
    }
}
