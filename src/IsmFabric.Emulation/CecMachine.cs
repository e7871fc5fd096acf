namespace IsmFabric.Emulation;

/// <summary>
/// One process's view of an emulated CEC: the mapped shared state, the LPAR memory files, the CEC-wide lock and the
/// firmware-side behaviour every process may have to carry out (events, interrupts, reclaiming what dead LPARs
/// held). Any attached process does the work of the "firmware" for the stores it issues; there is no CEC daemon.
/// </summary>
/// <remarks>
/// This type wires the parts together and is the one the devices, LPARs and the CEC talk to; each part lives in its
/// own type: <see cref="CecFiles"/> (the directory's files), <see cref="CecStateFile"/> (the mapped tables),
/// <see cref="LparMemories"/> (IOVA translation), <see cref="CecLock"/>, <see cref="CecInterrupts"/> (SBA signal
/// bits and the MSI), <see cref="EventQueueWriter"/> (the IEQ), <see cref="FunctionTeardown"/> (unregistering DMBs
/// and disabling functions), <see cref="LparReclaimer"/> (the reclaim pass for dead LPARs) and
/// <see cref="CecConsistency"/> (the tables' repair after a process died inside the lock).
/// </remarks>
internal sealed unsafe class CecMachine : IDisposable
{
    private readonly CecStateFile _state;
    private readonly CecLock _cecLock;
    private readonly LparMemories _memories;
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
        _interrupts = new CecInterrupts(_state, _memories);
        _events = new EventQueueWriter(_state, _memories, _interrupts);
        _teardown = new FunctionTeardown(_state, _events);
        _consistency = new CecConsistency(_state, _teardown);
        _reclaimer = new LparReclaimer(directory, definition, _state, _cecLock, _teardown, _consistency);
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

    /// <inheritdoc cref="LparMemories.Translate"/>
    internal byte* Translate(int lpar, ulong iova, long length) => _memories.Translate(lpar, iova, length);

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
        _memories.Dispose();
        _state.Dispose();
        _cecLock.Dispose();
    }
}
