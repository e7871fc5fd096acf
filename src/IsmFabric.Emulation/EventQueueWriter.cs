using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>Writes firmware events into a function's IEQ (spec §3.4), then sets the SBA's e and s bits and interrupts.</summary>
/// <remarks>
/// Callers hold the CEC lock: producers in every process serialise on it, and a holder that dies inside a post leaves
/// at worst an entry written without its index, which the next post overwrites. (A spin lock of its own in
/// <c>cec.state</c> used to be freed by polling the holder's pid: a stopped holder kept it for good.) UNREG_IEQ clears
/// the registration under the same lock, so once it answered no event is being written into the page. The entry is
/// written through the emulated IOMMU: an IEQ the function no longer has mapped is an IOMMU fault, not a write into
/// freed memory.
/// </remarks>
internal sealed unsafe class EventQueueWriter(CecStateFile state, IommuMappings iommu, IommuFaults faults, CecInterrupts interrupts)
{
    /// <summary>
    /// Writes an event into the IEQ of <paramref name="function"/> (entry first, then the index), sets the SBA's
    /// event and summary bits and raises the interrupt. Dropped when the function has no IEQ registered. Must hold the
    /// CEC lock.
    /// </summary>
    internal bool Post(int function, uint type, uint code, ulong token, ulong info)
    {
        var fn = state.Function(function);
        var ieqIova = Volatile.Read(ref U64(fn, CecLayout.FIeqIova));
        if (ieqIova == 0)
        {
            return false;
        }

        var ieqLength = (int)U32(fn, CecLayout.FIeqLength);
        var ieq = iommu.Translate(function, I32(fn, CecLayout.FLpar), ieqIova, ieqLength);
        if (ieq is null)
        {
            // Registered, yet not mapped: the device's write into the IEQ faults.
            faults.RaiseLocked(function, ieqIova, IommuFaultKind.UnmappedAccess);
            return false;
        }

        var entries = (ieqLength - IsmEventCodes.IeqHeaderSize) / IsmEventCodes.IeqEntrySize;
        var slot = (int)U32(fn, CecLayout.FIeqNext) % entries; // a torn FIeqNext cannot send the entry past the IEQ
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

        Interlocked.Increment(ref I64(fn, CecLayout.FStatEvents));
        interrupts.SignalEventLocked(function);
        return true;
    }
}
