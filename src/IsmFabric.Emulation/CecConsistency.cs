using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>Puts the shared tables back in order after a process died inside the CEC lock or left DMB frees pending.</summary>
/// <remarks>
/// The DMB entries are the truth; every function's DMB count and slot bitmap are derived from them. A process killed
/// between the stores of a REG_DMB or an unregister leaves a count or a slot bit that no entry accounts for; this pass
/// recomputes both, frees entries whose owner is gone, finishes frees that waited for a move, and clears entries in a
/// state no code writes. The IOMMU's pins (which pages a registration covers) are derived the same way, from the
/// registered DMBs and each function's SBA and IEQ.
/// </remarks>
internal sealed unsafe class CecConsistency(CecStateFile state, FunctionTeardown teardown, IommuMappings iommu)
{
    /// <summary>True when some DMB entry waits to be freed (a move into it had not finished).</summary>
    internal bool HasPendingFrees => Volatile.Read(ref I32(state.Header, CecLayout.HPendingFrees)) > 0;

    /// <summary>Runs the pass; returns how many entries it freed or cleared. Must hold the CEC lock.</summary>
    internal int RepairLocked()
    {
        var changed = 0;
        var counts = new int[state.FunctionCount];
        var slots = new byte[state.FunctionCount, CecLayout.SlotCount / 8];
        var pending = 0;
        for (var d = 1; d < CecLayout.DmbCapacity; d++)
        {
            var dmb = state.Dmb(d);
            var dmbState = (DmbState)Volatile.Read(ref I32(dmb, CecLayout.DState));
            if (dmbState == DmbState.Free)
            {
                continue;
            }

            var owner = I32(dmb, CecLayout.DOwner);
            var slot = (int)U32(dmb, CecLayout.DSbaIndex);
            if (owner < 0 || owner >= state.FunctionCount || slot < CecLayout.FirstDmbSlot || slot >= CecLayout.SlotCount
                || dmbState is not (DmbState.Registered or DmbState.Unregistering))
            {
                // Nothing valid writes this: clear it, it holds no slot.
                new Span<byte>(dmb, CecLayout.DmbEntrySize).Clear();
                changed++;
                continue;
            }

            if (dmbState == DmbState.Registered && I32(state.Function(owner), CecLayout.FPid) == 0)
            {
                // Its owner's process is gone and the reclaim that should have unregistered it was cut short.
                dmbState = teardown.UnregisterDmbLocked(d) ? DmbState.Free : DmbState.Unregistering;
                changed++;
            }
            else if (dmbState == DmbState.Unregistering && teardown.TryFreeLocked(d))
            {
                dmbState = DmbState.Free;
                changed++;
            }

            if (dmbState == DmbState.Free)
            {
                continue;
            }

            pending += dmbState == DmbState.Unregistering ? 1 : 0;
            counts[owner]++;
            slots[owner, slot / 8] |= (byte)(0x80 >> (slot % 8));
        }

        // Derived state, recomputed from the entries (the frees above already adjusted what they freed).
        for (var f = 0; f < state.FunctionCount; f++)
        {
            var fn = state.Function(f);
            Volatile.Write(ref I32(fn, CecLayout.FDmbCount), counts[f]);
            for (var b = 0; b < CecLayout.SlotCount / 8; b++)
            {
                *(fn + CecLayout.FSbaSlots + b) = slots[f, b];
            }
        }

        Volatile.Write(ref I32(state.Header, CecLayout.HPendingFrees), pending);
        RecomputePinsLocked();
        return changed;
    }

    /// <summary>Pins again exactly what the registrations cover now: every registered DMB, every SBA and IEQ.</summary>
    private void RecomputePinsLocked()
    {
        iommu.ClearPinsLocked();
        for (var f = 0; f < state.FunctionCount; f++)
        {
            var fn = state.Function(f);
            if (U64(fn, CecLayout.FSbaIova) is var sba and not 0)
            {
                iommu.PinLocked(f, sba, IsmEventCodes.SbaSize);
            }

            if (U64(fn, CecLayout.FIeqIova) is var ieq and not 0)
            {
                iommu.PinLocked(f, ieq, U32(fn, CecLayout.FIeqLength));
            }
        }

        for (var d = 1; d < CecLayout.DmbCapacity; d++)
        {
            var dmb = state.Dmb(d);
            if (Volatile.Read(ref I32(dmb, CecLayout.DState)) == (int)DmbState.Registered)
            {
                iommu.PinLocked(I32(dmb, CecLayout.DOwner), U64(dmb, CecLayout.DIova), U32(dmb, CecLayout.DLength));
            }
        }
    }
}
