using IsmFabric.Vfio;
using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>
/// An LPAR of an emulated CEC attached by this process: it holds the LPAR's lock (so the CEC can tell when the
/// process dies), owns the LPAR's DMA memory, opens the LPAR's ISM functions as <see cref="IVfioDevice"/>s, and
/// watches the other LPARs so the CEC reclaims what a dead one held. Several LPARs may be attached in one process.
/// </summary>
public sealed unsafe class EmulatedLpar : IDisposable
{
    private static readonly TimeSpan WatchdogPeriod = TimeSpan.FromMilliseconds(50);

    private readonly CecMachine _machine;
    private readonly LockFile _lockFile;
    private readonly BuddyAllocator _allocator;
    private readonly Lock _lock = new();
    private readonly List<EmulatedIsmDevice> _devices = [];
    private readonly Timer _watchdog;
    private int _watching;
    private bool _disposed;

    private EmulatedLpar(CecMachine machine, int index, LockFile lockFile)
    {
        _machine = machine;
        Index = index;
        _lockFile = lockFile;
        Name = machine.Definition.Lpars[index].Name;
        _allocator = new BuddyAllocator(machine.Definition.Lpars[index].MemoryBytes);
        Functions = machine.Definition.Functions.Where(f => f.Lpar == Name).ToList();
        _watchdog = new Timer(_ => Watch(), null, WatchdogPeriod, WatchdogPeriod);
    }

    /// <summary>The LPAR's name.</summary>
    public string Name { get; }

    /// <summary>The CEC directory.</summary>
    public string Directory => _machine.Directory;

    /// <summary>The ISM functions configured to this LPAR.</summary>
    public IReadOnlyList<FunctionDefinition> Functions { get; }

    internal int Index { get; }

    /// <summary>The longest this process waited for the CEC-wide lock (bounded by the lock's own limit of 2 s).</summary>
    public TimeSpan LongestLockWait => _machine.LongestLockWait;

    /// <summary>Bytes of the LPAR's memory in use for DMA.</summary>
    public long DmaBytesInUse
    {
        get
        {
            lock (_lock)
            {
                return _allocator.BytesInUse;
            }
        }
    }

    /// <summary>
    /// Attaches this process to LPAR <paramref name="name"/> of the CEC in <paramref name="directory"/>; fails when
    /// another living process holds it. What a dead previous holder left behind is reclaimed first.
    /// </summary>
    public static EmulatedLpar Attach(string directory, string name)
    {
        var machine = CecMachine.Open(directory);
        try
        {
            var index = machine.LparIndex(name);
            if (index < 0)
            {
                throw new ArgumentException(
                    $"the CEC in {directory} has no LPAR '{name}' (it has {string.Join(", ", machine.Definition.Lpars.Select(l => l.Name))})", nameof(name));
            }

            machine.Repair(full: true);
            var lockFile = LockFile.OpenOrCreate(CecMachine.LparLockPath(directory, name));
            if (!lockFile.TryLockExclusive())
            {
                var pid = I32(machine.Lpar(index), CecLayout.LPid);
                lockFile.Dispose();
                throw new InvalidOperationException($"LPAR '{name}' of the CEC in {directory} is already attached by process {pid}");
            }

            using (machine.LockCec())
            {
                var lpar = machine.Lpar(index);
                if ((LparState)I32(lpar, CecLayout.LState) == LparState.Attached)
                {
                    // Its previous process died and nobody repaired it yet: we hold its lock now, so it is dead.
                    machine.ReclaimLparLocked(index);
                }

                I32(lpar, CecLayout.LPid) = Environment.ProcessId;
                U32(lpar, CecLayout.LEpoch)++;
                Volatile.Write(ref I32(lpar, CecLayout.LState), (int)LparState.Attached);
            }

            return new EmulatedLpar(machine, index, lockFile);
        }
        catch
        {
            machine.Dispose();
            throw;
        }
    }

    /// <summary>Opens ISM function <paramref name="fid"/> of this LPAR for exclusive use by this process.</summary>
    public EmulatedIsmDevice OpenFunction(uint fid)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var index = _machine.FunctionIndexByFid(fid);
            if (index < 0 || _machine.Definition.Functions[index].Lpar != Name)
            {
                throw VfioErrors.FromErrno(Errno.ENODEV, $"open function 0x{fid:x}", $"LPAR {Name} has no function 0x{fid:x}; it has {string.Join(", ", Functions.Select(f => $"0x{f.Fid:x}"))}");
            }

            uint epoch;
            using (_machine.LockCec())
            {
                var fn = _machine.Function(index);
                var state = (FunctionState)I32(fn, CecLayout.FState);
                if (state == FunctionState.Unplugged)
                {
                    throw VfioErrors.FromErrno(Errno.ENODEV, $"open function 0x{fid:x}", "the function is unplugged");
                }

                if (I32(fn, CecLayout.FPid) == Environment.ProcessId && !_devices.Any(d => d.Definition.Fid == fid))
                {
                    // Ours, but its device is closed: the close found the CEC lock taken and left the release to us.
                    _machine.DisableFunctionLocked(index, DisableReason.Released);
                    state = (FunctionState)I32(fn, CecLayout.FState);
                }

                if (I32(fn, CecLayout.FPid) != 0)
                {
                    throw VfioErrors.FromErrno(Errno.EBUSY, $"open function 0x{fid:x}", "the function is already open");
                }

                I32(fn, CecLayout.FPid) = Environment.ProcessId;
                epoch = ++U32(fn, CecLayout.FEpoch);
                if (state == FunctionState.Ready)
                {
                    Volatile.Write(ref I32(fn, CecLayout.FState), (int)FunctionState.InUse);
                }
            }

            var device = new EmulatedIsmDevice(this, _machine, index, epoch);
            _devices.Add(device);
            return device;
        }
    }

    /// <summary>The byte freed DMA memory is filled with (a read after free shows it).</summary>
    public const byte FreedMemoryPoison = 0xDF;

    /// <summary>
    /// Allocates <paramref name="length"/> bytes of the LPAR's memory and maps them in the IOMMU domain of function
    /// <paramref name="function"/>; disposing the buffer unmaps them (an IOMMU fault if the device still holds them),
    /// poisons and frees them.
    /// </summary>
    internal EmulatedDmaBuffer AllocateDma(int length, int function, Func<EmulatedDmaBuffer, bool> onRelease)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (length <= 0 || length > CecLayout.MaxDmbLength)
            {
                throw VfioErrors.FromErrno(Errno.EINVAL, $"DMA map ({Name}, {length} bytes)", "the emulated IOMMU maps 1 byte .. 1 MiB at a time");
            }

            var offset = _allocator.Allocate(length);
            if (offset < 0)
            {
                throw VfioErrors.FromErrno(Errno.ENOMEM, $"DMA map ({Name}, {length} bytes)", $"LPAR memory exhausted ({_allocator.BytesInUse} of {_allocator.Capacity} bytes in use)");
            }

            var size = BuddyAllocator.BlockSize(length);
            var iova = CecLayout.StartDma + (ulong)offset;
            var memory = _machine.Memory(Index);
            new Span<byte>(memory.Pointer + offset, size).Clear();
            try
            {
                _machine.MapDma(function, iova, size);
            }
            catch
            {
                _allocator.Free(offset, size);
                throw;
            }

            return new EmulatedDmaBuffer(
                (nint)(memory.Pointer + offset), iova, size, offset,
                buffer =>
                {
                    onRelease(buffer);

                    // Unregister before unmap: unmapping what the device still holds faults the function (which first
                    // takes the registration away from the device), as firmware does.
                    try
                    {
                        _machine.UnmapDma(function, buffer.Iova, buffer.Length);
                    }
                    catch (CecBusyException e)
                    {
                        // Not unmapped, so not freed either: the memory stays the device's, never handed out again.
                        throw VfioErrors.FromErrno(Errno.EBUSY, $"DMA unmap ({Name}, IOVA 0x{buffer.Iova:x}, {buffer.Length} bytes)", e.Message);
                    }

                    // On a real LPAR unmapped memory faults; here it stays mapped, so poison it: a read after the
                    // driver let go of a buffer sees 0xDF bytes instead of the data it expected.
                    new Span<byte>((void*)buffer.Address, buffer.Length).Fill(FreedMemoryPoison);
                    lock (_lock)
                    {
                        _allocator.Free(buffer.Offset, buffer.Length);
                    }
                });
        }
    }

    internal void OnDeviceClosed(EmulatedIsmDevice device)
    {
        lock (_lock)
        {
            _devices.Remove(device);
        }
    }

    private void Watch()
    {
        // One pass at a time: a pass that waits for the CEC lock must not let ticks pile up behind it.
        if (_disposed || Interlocked.Exchange(ref _watching, 1) != 0)
        {
            return;
        }

        try
        {
            _machine.Repair();
        }
        catch (IOException)
        {
            // The next tick tries again (CecBusyException included); a repair is idempotent.
        }
        catch (ObjectDisposedException)
        {
        }
        finally
        {
            Volatile.Write(ref _watching, 0);
        }
    }

    /// <summary>
    /// Test hook: lets go of the LPAR the way SIGKILL would, in-process. The LPAR's lock file is released (the kernel
    /// drops a dead process's flock), the watchdog stops, and the open devices are dropped without telling the CEC: no
    /// function is released, no DMB unregistered, no event posted, the DMA memory is neither poisoned nor freed. What
    /// the dead LPAR held stays in the shared tables until a reclaim pass (another LPAR's watchdog, an attach,
    /// <see cref="EmulatedCec.Repair"/>) finds its lock file free. Nothing of this object may be used afterwards.
    /// </summary>
    internal void AbandonAsIfKilled()
    {
        EmulatedIsmDevice[] devices;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            devices = [.. _devices];
            _devices.Clear();
        }

        using (var done = new ManualResetEvent(false))
        {
            _watchdog.Dispose(done);
            done.WaitOne();
        }

        foreach (var device in devices)
        {
            device.Abandon();
        }

        _lockFile.Dispose(); // closing the descriptor drops the flock, as the kernel does at exit
        _machine.Dispose();
    }

    /// <summary>Closes every open function (peers get the events), detaches the LPAR and releases its lock.</summary>
    public void Dispose()
    {
        EmulatedIsmDevice[] devices;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            devices = [.. _devices];
        }

        using (var done = new ManualResetEvent(false))
        {
            _watchdog.Dispose(done);
            done.WaitOne();
        }

        foreach (var device in devices)
        {
            device.Dispose();
        }

        lock (_lock)
        {
            _disposed = true;
        }

        try
        {
            using (_machine.LockCec())
            {
                _machine.ReclaimLparLocked(Index);
            }
        }
        catch (CecBusyException)
        {
            // A stopped process holds the CEC lock: releasing our LPAR lock below makes this LPAR dead to the others,
            // whose reclaim pass does the same work once the lock is free.
        }

        _lockFile.Unlock();
        _lockFile.Dispose();
        _machine.Dispose();
    }
}
