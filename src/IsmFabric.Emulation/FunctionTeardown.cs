using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>Frees a DMB once no move into it is in flight, and disables a whole function with the events its peers get.</summary>
/// <remarks>
/// Callers hold the CEC lock. Whatever a registration stops covering is unpinned in the IOMMU (<see cref="IommuMappings"/>)
/// only once the device can no longer write it, so an unmap after an unregistration never faults.
/// </remarks>
internal sealed unsafe class FunctionTeardown(CecStateFile state, EventQueueWriter events, IommuMappings iommu)
{
    /// <summary>
    /// Puts a usable (ready or in use) function into the error state: its registrations go and its peers get the
    /// error-state events. A function already in error or unplugged is left as it is. Must hold the CEC lock.
    /// </summary>
    internal void EnterErrorStateLocked(int function)
    {
        if (state.StateOf(function) is FunctionState.Ready or FunctionState.InUse)
        {
            Volatile.Write(ref I32(state.Function(function), CecLayout.FState), (int)FunctionState.Error);
            DisableFunctionLocked(function, DisableReason.Error);
        }
    }

    /// <summary>UNREG_SBA's effect: forgets the function's SBA; false when none was registered. Must hold the CEC lock.</summary>
    internal bool UnregisterSbaLocked(int function)
    {
        var fn = state.Function(function);
        var iova = Volatile.Read(ref U64(fn, CecLayout.FSbaIova));
        if (iova == 0)
        {
            return false;
        }

        Volatile.Write(ref U64(fn, CecLayout.FSbaIova), 0UL);
        iommu.UnpinLocked(function, iova, IsmEventCodes.SbaSize);
        return true;
    }

    /// <summary>UNREG_IEQ's effect: forgets the function's IEQ once no event is being written into it; false when none was registered. Must hold the CEC lock.</summary>
    internal bool UnregisterIeqLocked(int function)
    {
        var (iova, length) = events.Detach(function);
        if (iova == 0)
        {
            return false;
        }

        iommu.UnpinLocked(function, iova, length);
        return true;
    }

    /// <summary>
    /// Takes a function out of use: its DMBs are unregistered, its SBA and IEQ forgotten, and its peers told with
    /// the events of spec §3.4 that fit <paramref name="reason"/>. Must hold the CEC lock.
    /// </summary>
    internal void DisableFunctionLocked(int function, DisableReason reason)
    {
        var fn = state.Function(function);
        var gid = U64(fn, CecLayout.FGid);
        var chid = U16(fn, CecLayout.FChid);
        var related = new HashSet<int>();
        var ownCode = reason == DisableReason.Error ? IsmEventCodes.BufOwningDeviceInErrorState : IsmEventCodes.BufDmbUnregistered;
        var usingCode = reason == DisableReason.Error ? IsmEventCodes.BufUsingDeviceInErrorState : IsmEventCodes.BufUsingDeviceDisabled;

        for (var d = 1; d < CecLayout.DmbCapacity; d++)
        {
            var dmb = state.Dmb(d);
            if (Volatile.Read(ref I32(dmb, CecLayout.DState)) != (int)DmbState.Registered)
            {
                continue;
            }

            var owner = I32(dmb, CecLayout.DOwner);
            var token = U64(dmb, CecLayout.DToken);
            var rgid = U64(dmb, CecLayout.DRgid);
            if (owner == function)
            {
                var user = state.FunctionByGid(rgid, chid);
                UnregisterDmbLocked(d);
                if (user >= 0 && user != function)
                {
                    events.Post(user, IsmEventCodes.TypeBuffer, ownCode, token, 0);
                    related.Add(user);
                }
            }
            else if (rgid == gid && U16(state.Function(owner), CecLayout.FChid) == chid)
            {
                events.Post(owner, IsmEventCodes.TypeBuffer, usingCode, token, 0);
                related.Add(owner);
            }
        }

        var devCode = reason == DisableReason.Error ? IsmEventCodes.DevGidErrorState : IsmEventCodes.DevGidDisabled;
        foreach (var peer in related)
        {
            events.Post(peer, IsmEventCodes.TypeDevice, devCode, gid, 0);
        }

        UnregisterSbaLocked(function);
        UnregisterIeqLocked(function);
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
        CecInterrupts.Nudge(fn);
    }

    /// <summary>Frees DMB entry <paramref name="index"/> after every in-flight move into it has finished. Must hold the CEC lock.</summary>
    internal void UnregisterDmbLocked(int index)
    {
        var dmb = state.Dmb(index);
        var token = U64(dmb, CecLayout.DToken);
        Interlocked.Exchange(ref I32(dmb, CecLayout.DState), (int)DmbState.Unregistering);

        // A mover publishes the token it writes into (its hazard) before it re-checks the DMB's state; we changed
        // the state before reading the hazards, so either it sees Unregistering or we see its hazard.
        for (var f = 0; f < state.FunctionCount; f++)
        {
            var fn = state.Function(f);
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

        // No move writes into it any more: its pages may be unmapped without a fault from here on.
        var ownerIndex = I32(dmb, CecLayout.DOwner);
        iommu.UnpinLocked(ownerIndex, U64(dmb, CecLayout.DIova), U32(dmb, CecLayout.DLength));
        var owner = state.Function(ownerIndex);
        var slot = (int)U32(dmb, CecLayout.DSbaIndex);
        AtomicAndNotByte(owner + CecLayout.FSbaSlots + (slot / 8), (byte)(0x80 >> (slot % 8)));
        Interlocked.Decrement(ref I32(owner, CecLayout.FDmbCount));
        new Span<byte>(dmb + 4, CecLayout.DmbEntrySize - 4).Clear();
        Volatile.Write(ref I32(dmb, CecLayout.DState), (int)DmbState.Free);
    }
}
