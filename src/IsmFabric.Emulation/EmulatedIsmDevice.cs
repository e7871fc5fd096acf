using System.Buffers.Binary;
using IsmFabric.Vfio;
using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>
/// An ISM function of an emulated CEC behind the VFIO device interface, with the semantics of the
/// <c>ism_vfio_pci</c> variant driver: region offsets <c>index &lt;&lt; 48</c>, no mmap, one write = one store
/// block of at most <c>imaxstbl</c> bytes that must not cross 4 KiB, reads split into aligned loads, and the ISM
/// command area, moves, SBA and IEQ of spec §2–3 with big-endian device structures.
/// </summary>
public sealed unsafe class EmulatedIsmDevice : IVfioDevice
{
    /// <summary>The region offset shift of the ISM variant driver (ISM_VFIO_PCI_OFFSET_SHIFT).</summary>
    public const int RegionOffsetShift = 48;

    /// <summary>The store block limit this emulated function reports in ZPCI GROUP (imaxstbl).</summary>
    public const int Imaxstbl = 4096;

    /// <summary>Size of the command area, BAR 2.</summary>
    public const int CommandAreaSize = 4096;

    /// <summary>Size of the emulated PCI config space (cfg_size).</summary>
    public const int ConfigSpaceSize = 4096;

    private const ulong Bar0Size = 1UL << 48;
    private const int StoreBoundary = 4096;

    private readonly EmulatedLpar _lpar;
    private readonly CecMachine _machine;
    private readonly int _index;
    private readonly byte* _fn;
    private readonly uint _epoch;
    private readonly Lock _lock = new();
    private readonly byte[] _commandArea = new byte[CommandAreaSize];
    private readonly byte[] _config = new byte[ConfigSpaceSize];
    private readonly List<EmulatedDmaBuffer> _dma = [];
    private readonly EmulatedCommandProcessor _commands;
    private FutexInterruptSource? _msi;
    private bool _disposed;

    internal EmulatedIsmDevice(EmulatedLpar lpar, CecMachine machine, int index, uint epoch)
    {
        _lpar = lpar;
        _machine = machine;
        _index = index;
        _fn = machine.Function(index);
        _epoch = epoch;
        Definition = machine.Definition.Functions[index];
        Name = $"ism-{Definition.Fid:x8}";
        _commands = new EmulatedCommandProcessor(machine, index);
        InitConfigSpace();
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The function as the CEC definition describes it (FID, CHID, GID, PNETID).</summary>
    public FunctionDefinition Definition { get; }

    internal int Index => _index;

    /// <inheritdoc />
    public VfioDeviceInfo GetInfo()
    {
        CheckUsable(allowError: true);
        var memory = _machine.Definition.Lpars[I32(_fn, CecLayout.FLpar)].MemoryBytes;
        return new VfioDeviceInfo(
            VfioDeviceFlags.Reset | VfioDeviceFlags.Pci | VfioDeviceFlags.Caps,
            VfioPciRegion.NumRegions,
            VfioIrqIndex.NumIrqs,
            new ZpciBaseCapability(2, CecLayout.StartDma, CecLayout.StartDma + (ulong)memory - 1, Definition.Chid, Definition.Vfn, 0, 0x05, 1, 0x8000_0000u | Definition.Fid),
            new ZpciGroupCapability(2, 0, 0xFE00_0000_0000_0000UL, 0, 0, 1, 128, 0, Imaxstbl),
            new ZpciUtilCapability(1, PnetId.Encode([Definition.Pnetid])),
            new ZpciPfipCapability(1, new byte[4]));
    }

    /// <inheritdoc />
    public VfioRegionInfo GetRegionInfo(uint index)
    {
        CheckUsable(allowError: true);
        var offset = (long)index << RegionOffsetShift;
        return index switch
        {
            VfioPciRegion.Bar0 => new VfioRegionInfo(index, VfioRegionFlags.Read | VfioRegionFlags.Write, Bar0Size, offset),
            VfioPciRegion.Bar2 => new VfioRegionInfo(index, VfioRegionFlags.Read | VfioRegionFlags.Write, CommandAreaSize, offset),
            1 or 3 or 4 or 5 => new VfioRegionInfo(index, VfioRegionFlags.None, 0, offset),
            VfioPciRegion.Config => new VfioRegionInfo(index, VfioRegionFlags.Read | VfioRegionFlags.Write, ConfigSpaceSize, offset),
            _ => throw VfioErrors.FromErrno(Errno.EINVAL, $"VFIO_DEVICE_GET_REGION_INFO({Name}, index {index})", "the ISM variant driver serves BAR0-5 and config space only"),
        };
    }

    /// <inheritdoc />
    public VfioIrqInfo GetIrqInfo(uint index)
    {
        CheckUsable(allowError: true);
        return index switch
        {
            VfioIrqIndex.Intx => new VfioIrqInfo(index, VfioIrqInfoFlags.None, 0), // compiled out on s390
            VfioIrqIndex.Msi => new VfioIrqInfo(index, VfioIrqInfoFlags.Eventfd | VfioIrqInfoFlags.NoResize, 1),
            VfioIrqIndex.Msix => new VfioIrqInfo(index, VfioIrqInfoFlags.None, 0),
            VfioIrqIndex.Err or VfioIrqIndex.Req => new VfioIrqInfo(index, VfioIrqInfoFlags.Eventfd, 1),
            _ => throw VfioErrors.FromErrno(Errno.EINVAL, $"VFIO_DEVICE_GET_IRQ_INFO({Name}, index {index})"),
        };
    }

    /// <inheritdoc />
    public int Read(long offset, Span<byte> buffer)
    {
        var index = (uint)((ulong)offset >> RegionOffsetShift);
        var pos = (long)((ulong)offset & (Bar0Size - 1));
        lock (_lock)
        {
            CheckUsable(allowError: true);
            if (buffer.Length == 0)
            {
                return 0;
            }

            switch (index)
            {
                case VfioPciRegion.Bar2:
                    CheckNotInError("pread", offset);
                    return LoadSplit(_commandArea, pos, buffer, offset);
                case VfioPciRegion.Bar0:
                    CheckNotInError("pread", offset);
                    throw VfioErrors.FromErrno(Errno.EIO, Describe("pread", offset, buffer.Length), "PCI load from the ISM move space (BAR0) is not supported by the device");
                case VfioPciRegion.Config:
                    return LoadSplit(_config, pos, buffer, offset);
                case 1 or 3 or 4 or 5:
                    throw VfioErrors.FromErrno(Errno.EINVAL, Describe("pread", offset, buffer.Length), $"BAR{index} has no resource");
                default:
                    throw VfioErrors.FromErrno(Errno.EINVAL, Describe("pread", offset, buffer.Length), $"region index {index} is not served");
            }
        }
    }

    /// <inheritdoc />
    public int Write(long offset, ReadOnlySpan<byte> buffer)
    {
        var index = (uint)((ulong)offset >> RegionOffsetShift);
        var pos = (long)((ulong)offset & (Bar0Size - 1));
        lock (_lock)
        {
            CheckUsable(allowError: true);
            if (buffer.Length == 0)
            {
                return 0;
            }

            switch (index)
            {
                case VfioPciRegion.Bar0:
                    CheckStoreBlock(offset, pos, buffer.Length, Bar0Size);
                    CheckNotInError("pwrite", offset);
                    Move((ulong)pos, buffer, offset);
                    return buffer.Length;
                case VfioPciRegion.Bar2:
                    CheckStoreBlock(offset, pos, buffer.Length, CommandAreaSize);
                    CheckNotInError("pwrite", offset);
                    var count = (int)Math.Min(buffer.Length, CommandAreaSize - pos);
                    buffer[..count].CopyTo(_commandArea.AsSpan((int)pos));
                    if (pos == 0)
                    {
                        // The store of the request header to offset 0 starts the command (spec §2.1).
                        _commands.Execute(_commandArea);
                    }

                    return count;
                case VfioPciRegion.Config:
                    return WriteConfig(pos, buffer, offset);
                case 1 or 3 or 4 or 5:
                    throw VfioErrors.FromErrno(Errno.EINVAL, Describe("pwrite", offset, buffer.Length), $"BAR{index} has no resource");
                default:
                    throw VfioErrors.FromErrno(Errno.EINVAL, Describe("pwrite", offset, buffer.Length), $"region index {index} is not served");
            }
        }
    }

    /// <inheritdoc />
    public DmaBuffer AllocateDma(int length)
    {
        lock (_lock)
        {
            CheckUsable(allowError: true);
            var buffer = _lpar.AllocateDma(length, _index, _dma.Remove);
            _dma.Add(buffer);
            return buffer;
        }
    }

    /// <inheritdoc />
    public IInterruptSource EnableMsi()
    {
        lock (_lock)
        {
            CheckUsable(allowError: true);
            if (_msi is not null)
            {
                throw VfioErrors.FromErrno(Errno.EINVAL, $"VFIO_DEVICE_SET_IRQS({Name}, MSI)", "MSI is already enabled; disable it first");
            }

            _msi = new FutexInterruptSource(_fn + CecLayout.FIrqCounter, _fn + CecLayout.FIrqWaiters);
            return _msi;
        }
    }

    /// <inheritdoc />
    public void DisableMsi()
    {
        lock (_lock)
        {
            _msi?.Dispose();
            _msi = null;
        }
    }

    /// <inheritdoc />
    public void Reset()
    {
        lock (_lock)
        {
            CheckUsable(allowError: true);

            // Decision (spec §8 leaves it open): a function reset drops the function's registrations, as QEMU's
            // reset-before-unmap suggests; peers see its DMBs go away.
            using (_machine.LockCec())
            {
                _machine.DisableFunctionLocked(_index, DisableReason.Reset);
            }

            _commandArea.AsSpan().Clear();
        }
    }

    /// <summary>Closes the device: MSI off, registrations dropped (peers get the events), DMA memory returned.</summary>
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _msi?.Dispose();
            _msi = null;
            try
            {
                using (_machine.LockCec())
                {
                    if (I32(_fn, CecLayout.FPid) == Environment.ProcessId && U32(_fn, CecLayout.FEpoch) == _epoch)
                    {
                        _machine.DisableFunctionLocked(_index, DisableReason.Released);
                    }
                }
            }
            catch (CecBusyException)
            {
                // A stopped process holds the CEC lock. The function stays marked ours: opening it again releases it
                // first, and once this process is gone the others' reclaim does.
            }

            foreach (var buffer in _dma.ToArray())
            {
                buffer.Dispose();
            }
        }

        _lpar.OnDeviceClosed(this);
    }

    /// <summary>
    /// Drops the device the way a killed process does (see <see cref="EmulatedLpar.AbandonAsIfKilled"/>): unusable from
    /// now on, with nothing told to the CEC and its DMA memory left as it is.
    /// </summary>
    internal void Abandon()
    {
        lock (_lock)
        {
            _disposed = true;
            _msi?.Dispose(); // wakes this process's own waiters (FUTEX_WAKE); the shared state is not changed
            _msi = null;
        }
    }

    // ---- moves ---------------------------------------------------------------------------------------------------

    private void Move(ulong pos, ReadOnlySpan<byte> data, long offset)
    {
        // Spec §3.2: dmb_tok | idx << 24 | sf << 23 | offset.
        var token = pos & 0x0000_FFFF_0000_0000UL;
        var dmbeIndex = (int)((pos >> 24) & 0xFF);
        var signal = ((pos >> 23) & 1) != 0;
        var dmbOffset = (long)(pos & 0x7F_FFFF);
        var tokenIndex = (int)(token >> 32);
        var dmb = tokenIndex == 0 ? null : _machine.Dmb(tokenIndex);
        if (dmb is null || Volatile.Read(ref I32(dmb, CecLayout.DState)) != (int)DmbState.Registered || U64(dmb, CecLayout.DToken) != token)
        {
            throw RejectMove(offset, data.Length, $"no DMB is registered with token 0x{token:x16}");
        }

        var myGid = U64(_fn, CecLayout.FGid);
        var rgid = U64(dmb, CecLayout.DRgid);
        if (rgid != myGid)
        {
            throw RejectMove(offset, data.Length, $"DMB 0x{token:x16} accepts writes only from GID 0x{rgid:x16}, not from 0x{myGid:x16}");
        }

        var owner = I32(dmb, CecLayout.DOwner);
        var ownerFn = _machine.Function(owner);
        if (U16(ownerFn, CecLayout.FChid) != U16(_fn, CecLayout.FChid))
        {
            throw RejectMove(offset, data.Length, $"DMB 0x{token:x16} is on another CHID");
        }

        if (_machine.StateOf(owner) != FunctionState.InUse)
        {
            throw RejectMove(offset, data.Length, $"the function owning DMB 0x{token:x16} is {_machine.StateOf(owner).ToString().ToLowerInvariant()}");
        }

        if (U32(dmb, CecLayout.DVlanValid) != 0 && !EmulatedCommandProcessor.IsVlanMember(_fn, (ushort)U32(dmb, CecLayout.DVlanId)))
        {
            throw RejectMove(offset, data.Length, $"DMB 0x{token:x16} is in VLAN {U32(dmb, CecLayout.DVlanId)}, which this function is not a member of");
        }

        var length = U32(dmb, CecLayout.DLength);
        if (dmbOffset + data.Length > length)
        {
            throw RejectMove(offset, data.Length, $"offset {dmbOffset} + {data.Length} bytes is beyond the DMB's {length} bytes");
        }

        // Publish the hazard before re-checking the state: UNREG_DMB changes the state before it scans hazards.
        Interlocked.Exchange(ref U64(_fn, CecLayout.FHazard), token);
        try
        {
            if (Volatile.Read(ref I32(dmb, CecLayout.DState)) != (int)DmbState.Registered || U64(dmb, CecLayout.DToken) != token)
            {
                throw RejectMove(offset, data.Length, $"DMB 0x{token:x16} was unregistered during the move");
            }

            // The owner's device writes through its IOMMU domain: one page-table entry per page touched, no lock.
            var iova = U64(dmb, CecLayout.DIova) + (ulong)dmbOffset;
            var target = _machine.TranslateDma(owner, I32(ownerFn, CecLayout.FLpar), iova, data.Length);
            if (target is null)
            {
                // The fault unregisters this DMB, which waits for our hazard: drop it first.
                Volatile.Write(ref U64(_fn, CecLayout.FHazard), 0UL);
                _machine.RaiseIommuFault(owner, iova, IommuFaultKind.UnmappedAccess);
                throw RejectMove(offset, data.Length, $"IOMMU fault: DMB 0x{token:x16} at IOVA 0x{iova:x} is not mapped by its owner");
            }

            // A slow store (fault injection) is slow while it is in flight: an unregister meanwhile waits for it.
            var delay = Volatile.Read(ref U32(_fn, CecLayout.FMoveDelayUs));
            if (delay > 0)
            {
                Pause(delay);
            }

            data.CopyTo(new Span<byte>(target, data.Length));
        }
        finally
        {
            Volatile.Write(ref U64(_fn, CecLayout.FHazard), 0UL);
        }

        // One writer: this device, under its lock (no other process moves on this function). Readers (cec show) take a
        // plain 64-bit load, which is atomic: no locked instruction per store block is needed.
        Volatile.Write(ref I64(_fn, CecLayout.FStatMoves), I64(_fn, CecLayout.FStatMoves) + 1);
        Volatile.Write(ref I64(_fn, CecLayout.FStatMoveBytes), I64(_fn, CecLayout.FStatMoveBytes) + data.Length);
        if (signal)
        {
            _machine.SignalDmb(owner, (int)U32(dmb, CecLayout.DSbaIndex), dmbeIndex);
        }
    }

    private VfioException RejectMove(long offset, int length, string why)
    {
        Interlocked.Increment(ref I64(_fn, CecLayout.FStatRejectedMoves));

        // A rejected PCISTB ends in a condition code that the variant driver returns as -EIO (spec §2.4, §5).
        return VfioErrors.FromErrno(Errno.EIO, Describe("pwrite", offset, length), why);
    }

    private static void Pause(uint microseconds)
    {
        if (microseconds >= 1000)
        {
            Thread.Sleep(TimeSpan.FromMicroseconds(microseconds));
            return;
        }

        var until = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(microseconds * (System.Diagnostics.Stopwatch.Frequency / 1e6));
        while (System.Diagnostics.Stopwatch.GetTimestamp() < until)
        {
            Thread.SpinWait(20);
        }
    }

    // ---- region rules --------------------------------------------------------------------------------------------

    private void CheckStoreBlock(long offset, long pos, int count, ulong barSize)
    {
        if (count > Imaxstbl)
        {
            throw VfioErrors.FromErrno(Errno.EINVAL, Describe("pwrite", offset, count), $"{count} bytes is more than imaxstbl {Imaxstbl}: one write is one store block");
        }

        if ((pos % StoreBoundary) + count > StoreBoundary)
        {
            throw VfioErrors.FromErrno(Errno.EINVAL, Describe("pwrite", offset, count), "a store block must not cross a 4 KiB boundary");
        }

        if ((ulong)pos >= barSize)
        {
            throw VfioErrors.FromErrno(Errno.EINVAL, Describe("pwrite", offset, count), "offset beyond the end of the BAR");
        }
    }

    private int LoadSplit(byte[] source, long pos, Span<byte> buffer, long offset)
    {
        if (pos >= source.Length)
        {
            throw VfioErrors.FromErrno(Errno.EINVAL, Describe("pread", offset, buffer.Length), "offset beyond the end of the region");
        }

        var count = (int)Math.Min(buffer.Length, source.Length - pos);
        var done = 0;
        while (done < count)
        {
            // Naturally aligned loads of 8, 4, 2 or 1 bytes, as the variant driver issues them.
            var at = pos + done;
            var left = count - done;
            var size = left >= 8 && at % 8 == 0 ? 8 : left >= 4 && at % 4 == 0 ? 4 : left >= 2 && at % 2 == 0 ? 2 : 1;
            source.AsSpan((int)at, size).CopyTo(buffer.Slice(done, size));
            done += size;
        }

        return count;
    }

    private int WriteConfig(long pos, ReadOnlySpan<byte> buffer, long offset)
    {
        if (pos >= ConfigSpaceSize)
        {
            throw VfioErrors.FromErrno(Errno.EINVAL, Describe("pwrite", offset, buffer.Length), "offset beyond config space");
        }

        var count = (int)Math.Min(buffer.Length, ConfigSpaceSize - pos);
        for (var i = 0; i < count; i++)
        {
            // Only the command register (memory space, bus master) is writable; the rest is read-only, as vfio-pci virtualises it.
            var at = pos + i;
            if (at is 4 or 5)
            {
                _config[at] = buffer[i];
            }
        }

        return count;
    }

    private void InitConfigSpace()
    {
        BinaryPrimitives.WriteUInt16LittleEndian(_config.AsSpan(0), 0x1014); // vendor: IBM
        BinaryPrimitives.WriteUInt16LittleEndian(_config.AsSpan(2), 0x04ED); // device: ISM
        BinaryPrimitives.WriteUInt16LittleEndian(_config.AsSpan(6), 0x0010); // status: capability list
        _config[0x0B] = 0x02; // class: network controller
        _config[0x0E] = 0x00; // header type 0
        BinaryPrimitives.WriteUInt32LittleEndian(_config.AsSpan(0x10), 0x0000_000C); // BAR0: 64-bit prefetchable memory
        BinaryPrimitives.WriteUInt32LittleEndian(_config.AsSpan(0x18), 0x0000_000C); // BAR2: 64-bit prefetchable memory
    }

    private void CheckUsable(bool allowError)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var state = _machine.StateOf(_index);
        if (state == FunctionState.Unplugged || I32(_fn, CecLayout.FPid) != Environment.ProcessId || U32(_fn, CecLayout.FEpoch) != _epoch)
        {
            throw VfioErrors.FromErrno(Errno.ENODEV, Name, "the function was unplugged or taken away from this LPAR");
        }

        if (!allowError && state == FunctionState.Error)
        {
            throw VfioErrors.FromErrno(Errno.EIO, Name, "the function is in error state");
        }
    }

    private void CheckNotInError(string operation, long offset)
    {
        if (_machine.StateOf(_index) == FunctionState.Error)
        {
            throw VfioErrors.FromErrno(Errno.EIO, Describe(operation, offset, 0), "the function is in error state");
        }
    }

    private string Describe(string operation, long offset, int count) => $"{operation}({Name}, offset 0x{offset:x}, {count} bytes)";
}
