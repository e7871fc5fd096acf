using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>Writes firmware events into a function's IEQ (spec §3.4), then sets the SBA's e and s bits and interrupts.</summary>
/// <remarks>Producers in any process serialise on a per-function spin lock in <c>cec.state</c> that a dead holder cannot keep.</remarks>
internal sealed unsafe class EventQueueWriter(CecStateFile state, LparMemories memories, CecInterrupts interrupts)
{
    /// <summary>
    /// Writes an event into the IEQ of <paramref name="function"/> (entry first, then the index), sets the SBA's
    /// event and summary bits and raises the interrupt. Dropped when the function has no IEQ registered.
    /// </summary>
    internal bool Post(int function, uint type, uint code, ulong token, ulong info)
    {
        var fn = state.Function(function);
        var lpar = I32(fn, CecLayout.FLpar);
        var ieqIova = Volatile.Read(ref U64(fn, CecLayout.FIeqIova));
        if (ieqIova == 0)
        {
            return false;
        }

        var ieqLength = (int)U32(fn, CecLayout.FIeqLength);
        var ieq = memories.Translate(lpar, ieqIova, ieqLength);
        if (ieq is null)
        {
            return false;
        }

        var entries = (ieqLength - IsmEventCodes.IeqHeaderSize) / IsmEventCodes.IeqEntrySize;
        AcquireLock(fn);
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
        var sba = sbaIova == 0 ? null : memories.Translate(lpar, sbaIova, IsmEventCodes.SbaSize);
        if (sba is not null)
        {
            AtomicOrByte(sba, 0x80 | 0x40); // s (summary) and e (event)
        }

        interrupts.Raise(function);
        return true;
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
