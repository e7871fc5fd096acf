using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>Writes firmware events into a function's IEQ (spec §3.4), then sets the SBA's e and s bits and interrupts.</summary>
/// <remarks>
/// Producers in any process serialise on a per-function spin lock in <c>cec.state</c> that a dead holder cannot keep.
/// The IEQ is forgotten under the same lock (<see cref="Detach"/>), so once UNREG_IEQ answered no event is being
/// written into the page and the LPAR may unmap it. The entry is written through the emulated IOMMU: an IEQ the
/// function no longer has mapped is an IOMMU fault, not a write into freed memory.
/// </remarks>
internal sealed unsafe class EventQueueWriter(CecStateFile state, IommuMappings iommu, IommuFaults faults, CecInterrupts interrupts)
{
    /// <summary>
    /// Writes an event into the IEQ of <paramref name="function"/> (entry first, then the index), sets the SBA's
    /// event and summary bits and raises the interrupt. Dropped when the function has no IEQ registered.
    /// </summary>
    internal bool Post(int function, uint type, uint code, ulong token, ulong info)
    {
        var fn = state.Function(function);
        if (Volatile.Read(ref U64(fn, CecLayout.FIeqIova)) == 0)
        {
            return false;
        }

        var unmapped = 0UL;
        AcquireLock(fn);
        try
        {
            var ieqIova = Volatile.Read(ref U64(fn, CecLayout.FIeqIova));
            if (ieqIova == 0)
            {
                return false;
            }

            var ieqLength = (int)U32(fn, CecLayout.FIeqLength);
            var ieq = iommu.Translate(function, I32(fn, CecLayout.FLpar), ieqIova, ieqLength);
            if (ieq is null)
            {
                unmapped = ieqIova;
            }
            else
            {
                var entries = (ieqLength - IsmEventCodes.IeqHeaderSize) / IsmEventCodes.IeqEntrySize;
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
        }
        finally
        {
            Volatile.Write(ref I32(fn, CecLayout.FIeqLock), 0);
        }

        if (unmapped != 0)
        {
            // Raised outside the producer lock: the fault forgets this very IEQ, under that lock.
            faults.Raise(function, unmapped, IommuFaultKind.UnmappedAccess);
            return false;
        }

        Interlocked.Increment(ref I64(fn, CecLayout.FStatEvents));
        interrupts.SignalEvent(function);
        return true;
    }

    /// <summary>
    /// Forgets the IEQ of <paramref name="function"/> under the producer lock and returns what was registered (IOVA 0
    /// when nothing): once this returns, no event is being written into it.
    /// </summary>
    internal (ulong Iova, int Length) Detach(int function)
    {
        var fn = state.Function(function);
        AcquireLock(fn);
        try
        {
            var iova = Volatile.Read(ref U64(fn, CecLayout.FIeqIova));
            var length = (int)U32(fn, CecLayout.FIeqLength);
            Volatile.Write(ref U64(fn, CecLayout.FIeqIova), 0UL);
            U32(fn, CecLayout.FIeqLength) = 0;
            U32(fn, CecLayout.FIeqNext) = 0;
            return (iova, length);
        }
        finally
        {
            Volatile.Write(ref I32(fn, CecLayout.FIeqLock), 0);
        }
    }

    private static void AcquireLock(byte* fn)
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
}
