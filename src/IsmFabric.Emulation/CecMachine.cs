using System.IO.MemoryMappedFiles;
using System.Text;
using System.Text.Json;
using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>
/// One process's view of an emulated CEC: the mapped shared state, the LPAR memory files, the CEC-wide lock and the
/// firmware-side behaviour every process may have to carry out (events, interrupts, reclaiming what dead LPARs
/// held). Any attached process does the work of the "firmware" for the stores it issues; there is no CEC daemon.
/// </summary>
internal sealed unsafe class CecMachine : IDisposable
{
    private const string DefinitionFile = "cec.json";
    private const string StateFile = "cec.state";
    private const string LockFileName = "cec.lock";

    private readonly MemoryMappedFile _stateMap;
    private readonly MemoryMappedViewAccessor _stateView;
    private readonly byte* _state;
    private readonly LockFile _cecLock;
    private readonly Lock _processLock = new();
    private readonly Lock _memoryLock = new();
    private readonly LparMemory?[] _memories;
    private bool _disposed;

    private CecMachine(string directory, CecDefinition definition)
    {
        Directory = directory;
        Definition = definition;
        var fs = new FileStream(Path.Combine(directory, StateFile), FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        var length = fs.Length;
        if (length != CecLayout.StateFileSize)
        {
            fs.Dispose();
            throw new InvalidDataException(
                $"{Path.Combine(directory, StateFile)}: {length} bytes, expected {CecLayout.StateFileSize}; the file is damaged or from another version");
        }

        _stateMap = MemoryMappedFile.CreateFromFile(fs, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
        _stateView = _stateMap.CreateViewAccessor(0, CecLayout.StateFileSize, MemoryMappedFileAccess.ReadWrite);
        byte* p = null;
        _stateView.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _state = p + _stateView.PointerOffset;
        if (U64(_state, CecLayout.HMagic) != CecLayout.Magic || U32(_state, CecLayout.HVersion) != CecLayout.Version)
        {
            Dispose();
            throw new InvalidDataException($"{Path.Combine(directory, StateFile)} is not an IsmFabric CEC state file of version {CecLayout.Version}");
        }

        _cecLock = LockFile.OpenOrCreate(Path.Combine(directory, LockFileName));
        _memories = new LparMemory?[definition.Lpars.Count];
    }

    internal string Directory { get; }

    internal CecDefinition Definition { get; }

    internal int FunctionCount => Definition.Functions.Count;

    internal static bool Exists(string directory) => File.Exists(Path.Combine(directory, DefinitionFile));

    /// <summary>Creates the files of a new CEC under <paramref name="directory"/>; refuses to overwrite an existing one.</summary>
    internal static void Create(string directory, CecDefinition definition)
    {
        if (Exists(directory))
        {
            throw new IOException($"{directory} already holds a CEC ({DefinitionFile} exists); remove it or pick another directory");
        }

        System.IO.Directory.CreateDirectory(directory);
        System.IO.Directory.CreateDirectory(Path.Combine(directory, "lpars"));
        foreach (var lpar in definition.Lpars)
        {
            using var mem = new FileStream(MemoryPath(directory, lpar.Name), FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite);
            mem.SetLength(lpar.MemoryBytes); // sparse: pages appear when touched
        }

        using (var fs = new FileStream(Path.Combine(directory, StateFile), FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            fs.SetLength(CecLayout.StateFileSize);
            var header = new byte[CecLayout.FunctionTable + (definition.Functions.Count * CecLayout.FunctionEntrySize)];
            fixed (byte* p = header)
            {
                U64(p, CecLayout.HMagic) = CecLayout.Magic;
                U32(p, CecLayout.HVersion) = CecLayout.Version;
                U32(p, CecLayout.HLparCount) = (uint)definition.Lpars.Count;
                U32(p, CecLayout.HFunctionCount) = (uint)definition.Functions.Count;
                U32(p, CecLayout.HNextToken) = 1;
                for (var l = 0; l < definition.Lpars.Count; l++)
                {
                    var e = p + CecLayout.LparTable + (l * CecLayout.LparEntrySize);
                    Encoding.ASCII.GetBytes(definition.Lpars[l].Name, new Span<byte>(e + CecLayout.LName, CecLayout.LNameLength));
                    I64(e, CecLayout.LMemorySize) = definition.Lpars[l].MemoryBytes;
                }

                for (var f = 0; f < definition.Functions.Count; f++)
                {
                    var def = definition.Functions[f];
                    var e = p + CecLayout.FunctionTable + (f * CecLayout.FunctionEntrySize);
                    I32(e, CecLayout.FState) = (int)FunctionState.Ready;
                    I32(e, CecLayout.FLpar) = definition.Lpars.ToList().FindIndex(l => l.Name == def.Lpar);
                    U32(e, CecLayout.FFid) = def.Fid;
                    U16(e, CecLayout.FChid) = def.Chid;
                    U16(e, CecLayout.FVfn) = def.Vfn;
                    U64(e, CecLayout.FGid) = def.Gid;
                    Encoding.ASCII.GetBytes(def.Pnetid, new Span<byte>(e + CecLayout.FPnetid, 16));
                }
            }

            fs.Write(header);
            fs.Flush(flushToDisk: true);
        }

        // The definition goes last: a CEC directory without cec.json is an interrupted create, never a CEC.
        var tmp = Path.Combine(directory, DefinitionFile + ".tmp");
        File.WriteAllText(tmp, JsonSerializer.Serialize(definition, CecDefinition.JsonOptions));
        File.Move(tmp, Path.Combine(directory, DefinitionFile), overwrite: false);
    }

    internal static CecMachine Open(string directory)
    {
        var path = Path.Combine(directory, DefinitionFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no emulated CEC in {directory}: {DefinitionFile} is missing (create one with 'ismfabric cec create --dir {directory}')", path);
        }

        CecDefinition? definition;
        try
        {
            definition = JsonSerializer.Deserialize<CecDefinition>(File.ReadAllText(path), CecDefinition.JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid CEC definition ({e.Message})", e);
        }

        if (definition is null || definition.Lpars is null || definition.Functions is null)
        {
            throw new InvalidDataException($"{path}: not a valid CEC definition (lpars or functions missing)");
        }

        if (definition.Version != CecDefinition.FormatVersion)
        {
            throw new InvalidDataException($"{path}: format version {definition.Version}, this build reads {CecDefinition.FormatVersion}");
        }

        return new CecMachine(directory, definition);
    }

    internal static string MemoryPath(string directory, string lpar) => Path.Combine(directory, "lpars", lpar + ".mem");

    internal static string LparLockPath(string directory, string lpar) => Path.Combine(directory, "lpars", lpar + ".lock");

    // ---- table access -------------------------------------------------------------------------------------------

    internal byte* Lpar(int index) => _state + CecLayout.LparTable + (index * CecLayout.LparEntrySize);

    internal byte* Function(int index) => _state + CecLayout.FunctionTable + (index * CecLayout.FunctionEntrySize);

    internal byte* Dmb(int index) => _state + CecLayout.DmbTable + (index * CecLayout.DmbEntrySize);

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

    internal FunctionState StateOf(int function) => (FunctionState)Volatile.Read(ref I32(Function(function), CecLayout.FState));

    /// <summary>Finds the function with <paramref name="gid"/> on <paramref name="chid"/>; -1 when none.</summary>
    internal int FunctionByGid(ulong gid, ushort chid)
    {
        for (var f = 0; f < FunctionCount; f++)
        {
            var fn = Function(f);
            if (U64(fn, CecLayout.FGid) == gid && U16(fn, CecLayout.FChid) == chid)
            {
                return f;
            }
        }

        return -1;
    }

    /// <summary>The memory of LPAR <paramref name="lpar"/>, mapped on first use and kept for the life of this view.</summary>
    internal LparMemory Memory(int lpar)
    {
        var m = Volatile.Read(ref _memories[lpar]);
        if (m is not null)
        {
            return m;
        }

        lock (_memoryLock)
        {
            m = _memories[lpar];
            if (m is null)
            {
                var def = Definition.Lpars[lpar];
                m = new LparMemory(MemoryPath(Directory, def.Name), def.MemoryBytes);
                Volatile.Write(ref _memories[lpar], m);
            }

            return m;
        }
    }

    /// <summary>Translates a device address of LPAR <paramref name="lpar"/> to this process's pointer; null when outside its memory.</summary>
    internal byte* Translate(int lpar, ulong iova, long length)
    {
        var memory = Memory(lpar);
        if (iova < CecLayout.StartDma || length < 0)
        {
            return null;
        }

        var offset = iova - CecLayout.StartDma;
        return offset + (ulong)length > (ulong)memory.Length ? null : memory.Pointer + offset;
    }

    // ---- locking and liveness ------------------------------------------------------------------------------------

    /// <summary>Takes the CEC-wide lock: in-process threads by a monitor, other processes by flock.</summary>
    internal Scope LockCec()
    {
        _processLock.Enter();
        try
        {
            _cecLock.LockExclusive();
        }
        catch
        {
            _processLock.Exit();
            throw;
        }

        return new Scope(this);
    }

    /// <summary>Releases <see cref="LockCec"/> when disposed.</summary>
    internal readonly struct Scope(CecMachine machine) : IDisposable
    {
        public void Dispose()
        {
            machine._cecLock.Unlock();
            machine._processLock.Exit();
        }
    }

    /// <summary>True while the process attached to LPAR <paramref name="lpar"/> is alive (it holds the LPAR's lock file).</summary>
    internal bool IsLparAlive(int lpar)
    {
        if ((LparState)Volatile.Read(ref I32(Lpar(lpar), CecLayout.LState)) != LparState.Attached)
        {
            return false;
        }

        using var probe = LockFile.OpenOrCreate(LparLockPath(Directory, Definition.Lpars[lpar].Name));
        if (probe.TryLockExclusive())
        {
            probe.Unlock();
            return false;
        }

        return true;
    }

    /// <summary>
    /// Finds LPARs marked attached whose process is gone and reclaims what they held, raising the events firmware
    /// raises for a disabled function. Safe to call from any process at any time; returns the LPARs reclaimed.
    /// </summary>
    internal IReadOnlyList<string> Repair()
    {
        var dead = new List<int>();
        for (var l = 0; l < Definition.Lpars.Count; l++)
        {
            if ((LparState)Volatile.Read(ref I32(Lpar(l), CecLayout.LState)) == LparState.Attached && !IsLparAlive(l))
            {
                dead.Add(l);
            }
        }

        if (dead.Count == 0)
        {
            return [];
        }

        var reclaimed = new List<string>();
        using (LockCec())
        {
            foreach (var l in dead)
            {
                // Checked again under the lock: another process may have repaired it, or a new process attached.
                if ((LparState)I32(Lpar(l), CecLayout.LState) == LparState.Attached && !IsLparAlive(l))
                {
                    ReclaimLparLocked(l);
                    reclaimed.Add(Definition.Lpars[l].Name);
                }
            }
        }

        return reclaimed;
    }

    internal void ReclaimLparLocked(int lpar)
    {
        for (var f = 0; f < FunctionCount; f++)
        {
            if (I32(Function(f), CecLayout.FLpar) == lpar && I32(Function(f), CecLayout.FPid) != 0)
            {
                DisableFunctionLocked(f, DisableReason.Released);
            }
        }

        I32(Lpar(lpar), CecLayout.LPid) = 0;
        Volatile.Write(ref I32(Lpar(lpar), CecLayout.LState), (int)LparState.Detached);
    }

    // ---- firmware behaviour --------------------------------------------------------------------------------------

    /// <summary>
    /// Takes a function out of use: its DMBs are unregistered, its SBA and IEQ forgotten, and its peers told with
    /// the events of spec §3.4 that fit <paramref name="reason"/>. Must hold the CEC lock.
    /// </summary>
    internal void DisableFunctionLocked(int function, DisableReason reason)
    {
        var fn = Function(function);
        var gid = U64(fn, CecLayout.FGid);
        var chid = U16(fn, CecLayout.FChid);
        var related = new HashSet<int>();
        var ownCode = reason == DisableReason.Error ? IsmEventCodes.BufOwningDeviceInErrorState : IsmEventCodes.BufDmbUnregistered;
        var usingCode = reason == DisableReason.Error ? IsmEventCodes.BufUsingDeviceInErrorState : IsmEventCodes.BufUsingDeviceDisabled;

        for (var d = 1; d < CecLayout.DmbCapacity; d++)
        {
            var dmb = Dmb(d);
            if (Volatile.Read(ref I32(dmb, CecLayout.DState)) != (int)DmbState.Registered)
            {
                continue;
            }

            var owner = I32(dmb, CecLayout.DOwner);
            var token = U64(dmb, CecLayout.DToken);
            var rgid = U64(dmb, CecLayout.DRgid);
            if (owner == function)
            {
                var user = FunctionByGid(rgid, chid);
                UnregisterDmbLocked(d);
                if (user >= 0 && user != function)
                {
                    PostEvent(user, IsmEventCodes.TypeBuffer, ownCode, token, 0);
                    related.Add(user);
                }
            }
            else if (rgid == gid && U16(Function(owner), CecLayout.FChid) == chid)
            {
                PostEvent(owner, IsmEventCodes.TypeBuffer, usingCode, token, 0);
                related.Add(owner);
            }
        }

        var devCode = reason == DisableReason.Error ? IsmEventCodes.DevGidErrorState : IsmEventCodes.DevGidDisabled;
        foreach (var peer in related)
        {
            PostEvent(peer, IsmEventCodes.TypeDevice, devCode, gid, 0);
        }

        Volatile.Write(ref U64(fn, CecLayout.FSbaIova), 0UL);
        Volatile.Write(ref U64(fn, CecLayout.FIeqIova), 0UL);
        U32(fn, CecLayout.FIeqLength) = 0;
        U32(fn, CecLayout.FIeqNext) = 0;
        U32(fn, CecLayout.FVlanCount) = 0;
        U32(fn, CecLayout.FVlanRequired) = 0;
        Volatile.Write(ref U64(fn, CecLayout.FHazard), 0UL);
        if (reason == DisableReason.Released)
        {
            I32(fn, CecLayout.FPid) = 0;
            if ((FunctionState)I32(fn, CecLayout.FState) == FunctionState.InUse)
            {
                Volatile.Write(ref I32(fn, CecLayout.FState), (int)FunctionState.Ready);
            }
        }

        // Whoever sleeps on the function's interrupt must look again: its world just changed.
        Interlocked.Increment(ref I32(fn, CecLayout.FIrqCounter));
        WakeInterruptWaiters(fn);
    }

    /// <summary>Frees DMB entry <paramref name="index"/> after every in-flight move into it has finished. Must hold the CEC lock.</summary>
    internal void UnregisterDmbLocked(int index)
    {
        var dmb = Dmb(index);
        var token = U64(dmb, CecLayout.DToken);
        Interlocked.Exchange(ref I32(dmb, CecLayout.DState), (int)DmbState.Unregistering);

        // A mover publishes the token it writes into (its hazard) before it re-checks the DMB's state; we changed
        // the state before reading the hazards, so either it sees Unregistering or we see its hazard.
        for (var f = 0; f < FunctionCount; f++)
        {
            var fn = Function(f);
            var spin = new SpinWait();
            while (Volatile.Read(ref U64(fn, CecLayout.FHazard)) == token)
            {
                var pid = Volatile.Read(ref I32(fn, CecLayout.FPid));
                if (pid == 0 || !Interop.ProcessExists(pid))
                {
                    break;
                }

                spin.SpinOnce();
            }
        }

        var owner = Function(I32(dmb, CecLayout.DOwner));
        var slot = (int)U32(dmb, CecLayout.DSbaIndex);
        AtomicAndNotByte(owner + CecLayout.FSbaSlots + (slot / 8), (byte)(0x80 >> (slot % 8)));
        Interlocked.Decrement(ref I32(owner, CecLayout.FDmbCount));
        new Span<byte>(dmb + 4, CecLayout.DmbEntrySize - 4).Clear();
        Volatile.Write(ref I32(dmb, CecLayout.DState), (int)DmbState.Free);
    }

    /// <summary>
    /// Writes an event into the IEQ of <paramref name="function"/> (entry first, then the index), sets the SBA's
    /// event and summary bits and raises the interrupt. Dropped when the function has no IEQ registered.
    /// </summary>
    internal bool PostEvent(int function, uint type, uint code, ulong token, ulong info)
    {
        var fn = Function(function);
        var lpar = I32(fn, CecLayout.FLpar);
        var ieqIova = Volatile.Read(ref U64(fn, CecLayout.FIeqIova));
        if (ieqIova == 0)
        {
            return false;
        }

        var ieqLength = (int)U32(fn, CecLayout.FIeqLength);
        var ieq = Translate(lpar, ieqIova, ieqLength);
        if (ieq is null)
        {
            return false;
        }

        var entries = (ieqLength - IsmEventCodes.IeqHeaderSize) / IsmEventCodes.IeqEntrySize;
        AcquireIeqLock(fn);
        try
        {
            if (Volatile.Read(ref U64(fn, CecLayout.FIeqIova)) != ieqIova)
            {
                return false;
            }

            var slot = (int)U32(fn, CecLayout.FIeqNext);
            var entry = ieq + IsmEventCodes.IeqHeaderSize + (slot * IsmEventCodes.IeqEntrySize);
            WriteBe32(entry, 0, type);
            WriteBe32(entry, 4, code);
            WriteBe64(entry, 8, token);
            WriteBe64(entry, 16, (ulong)DateTime.UtcNow.Ticks);
            WriteBe64(entry, 24, info);
            Thread.MemoryBarrier();

            // Spec §3.4: the index is the slot just written plus one, 1..entries, never back to 0.
            WriteBe64(ieq, 0, (ulong)(slot + 1));
            U32(fn, CecLayout.FIeqNext) = (uint)((slot + 1) % entries);
        }
        finally
        {
            Volatile.Write(ref I32(fn, CecLayout.FIeqLock), 0);
        }

        Interlocked.Increment(ref I64(fn, CecLayout.FStatEvents));
        var sbaIova = Volatile.Read(ref U64(fn, CecLayout.FSbaIova));
        var sba = sbaIova == 0 ? null : Translate(lpar, sbaIova, IsmEventCodes.SbaSize);
        if (sba is not null)
        {
            AtomicOrByte(sba, 0x80 | 0x40); // s (summary) and e (event)
        }

        RaiseInterrupt(function);
        return true;
    }

    private static void AcquireIeqLock(byte* fn)
    {
        var me = Environment.ProcessId;
        var spin = new SpinWait();
        while (true)
        {
            var holder = Interlocked.CompareExchange(ref I32(fn, CecLayout.FIeqLock), me, 0);
            if (holder == 0)
            {
                return;
            }

            // A producer killed inside the few stores of an event must not block the IEQ forever.
            if (holder != me && spin.Count > 100 && !Interop.ProcessExists(holder))
            {
                Interlocked.CompareExchange(ref I32(fn, CecLayout.FIeqLock), 0, holder);
            }

            spin.SpinOnce();
        }
    }

    /// <summary>Sets the DMB's bit in the owner's SBA, ORs <paramref name="dmbeIndex"/> into its mask, sets the summary bit, then raises the interrupt.</summary>
    internal void SignalDmb(int owner, int sbaIndex, int dmbeIndex)
    {
        var fn = Function(owner);
        var sbaIova = Volatile.Read(ref U64(fn, CecLayout.FSbaIova));
        var sba = sbaIova == 0 ? null : Translate(I32(fn, CecLayout.FLpar), sbaIova, IsmEventCodes.SbaSize);
        if (sba is null)
        {
            return;
        }

        AtomicOrByte(sba + 4 + (sbaIndex / 8), (byte)(0x80 >> (sbaIndex % 8)));

        // dmbe_mask[sba_idx] is a big-endian u16; DMBE index k is bit k counted from the most significant bit.
        var maskBit = (ushort)(0x8000 >> (dmbeIndex & 15));
        var mask = sba + IsmEventCodes.SbaMaskOffset + (sbaIndex * 2);
        if ((maskBit >> 8) != 0)
        {
            AtomicOrByte(mask, (byte)(maskBit >> 8));
        }
        else
        {
            AtomicOrByte(mask + 1, (byte)maskBit);
        }

        AtomicOrByte(sba, 0x80);
        Interlocked.Increment(ref I64(fn, CecLayout.FStatSignals));
        RaiseInterrupt(owner);
    }

    /// <summary>Raises the MSI of <paramref name="function"/>, honouring injected interrupt faults (lost, late).</summary>
    internal void RaiseInterrupt(int function)
    {
        var fn = Function(function);
        if (Volatile.Read(ref I32(fn, CecLayout.FLoseInterrupts)) > 0
            && Interlocked.Decrement(ref I32(fn, CecLayout.FLoseInterrupts)) >= 0)
        {
            Interlocked.Increment(ref I64(fn, CecLayout.FStatLostInterrupts));
            return;
        }

        var permille = Volatile.Read(ref U32(fn, CecLayout.FLoseInterruptPermille));
        if (permille > 0 && Random.Shared.Next(1000) < permille)
        {
            Interlocked.Increment(ref I64(fn, CecLayout.FStatLostInterrupts));
            return;
        }

        var delayUs = Volatile.Read(ref U32(fn, CecLayout.FDelayInterruptUs));
        if (delayUs > 0)
        {
            _ = DeliverLateAsync(function, delayUs);
            return;
        }

        DeliverInterrupt(fn);
    }

    private Task DeliverLateAsync(int function, uint delayUs) =>
        Task.Delay(TimeSpan.FromMicroseconds(delayUs)).ContinueWith(
            _ => DeliverLate(function), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private void DeliverLate(int function)
    {
        if (!_disposed)
        {
            DeliverInterrupt(Function(function));
        }
    }

    private static void DeliverInterrupt(byte* fn)
    {
        Interlocked.Increment(ref I64(fn, CecLayout.FStatInterrupts));
        Interlocked.Increment(ref I32(fn, CecLayout.FIrqCounter));
        WakeInterruptWaiters(fn);
    }

    private static void WakeInterruptWaiters(byte* fn)
    {
        if (Volatile.Read(ref I32(fn, CecLayout.FIrqWaiters)) > 0)
        {
            Interop.FutexWake((int*)(fn + CecLayout.FIrqCounter), int.MaxValue);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var m in _memories ?? [])
        {
            m?.Dispose();
        }

        _stateView.SafeMemoryMappedViewHandle.ReleasePointer();
        _stateView.Dispose();
        _stateMap.Dispose();
        _cecLock?.Dispose();
    }
}
