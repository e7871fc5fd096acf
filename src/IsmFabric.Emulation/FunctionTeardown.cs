using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>Frees a DMB once no move into it is in flight, and disables a whole function with the events its peers get.</summary>
/// <remarks>
/// Callers hold the CEC lock. What a registration stops covering is unpinned in the IOMMU (<see cref="IommuMappings"/>)
/// as the registration ends, so an unmap after an unregistration never faults.
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

    /// <summary>
    /// UNREG_IEQ's effect: forgets the function's IEQ; false when none was registered. Must hold the CEC lock, under
    /// which events are posted: once this returns no event is being written into the page.
    /// </summary>
    internal bool UnregisterIeqLocked(int function)
    {
        var fn = state.Function(function);
        var iova = Volatile.Read(ref U64(fn, CecLayout.FIeqIova));
        if (iova == 0)
        {
            return false;
        }

        var length = (int)U32(fn, CecLayout.FIeqLength);
        Volatile.Write(ref U64(fn, CecLayout.FIeqIova), 0UL);
        U32(fn, CecLayout.FIeqLength) = 0;
        U32(fn, CecLayout.FIeqNext) = 0;
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
        if (reason == DisableReason.Released)
        {
            // Released: its process closed it (no move of its own in flight) or died (a hazard it left is stale).
            Volatile.Write(ref U64(fn, CecLayout.FHazard), 0UL);
        }

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

        // The hazard stays unless released (above): a function put into error state or unplugged from outside may have
        // its process inside a store right now, and the DMB it copies into must not be freed under it. (Clearing it
        // here let an unregister free that DMB at once; found by CecInvariantProperties.)
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

    /// <summary>How long an unregister waits, under the CEC lock, for a move into the DMB to finish.</summary>
    internal static readonly TimeSpan MoveWait = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Unregisters DMB entry <paramref name="index"/>: no move may start into it any more, and it is freed once every
    /// move in flight has finished. True when it was freed; false when a move was still in flight after
    /// <see cref="MoveWait"/> (its process is stopped, or died inside the copy): the entry stays Unregistering, still
    /// holding its slot, until <see cref="TryFreeLocked"/> finds it idle (the repair pass does). Must hold the CEC lock.
    /// </summary>
    internal bool UnregisterDmbLocked(int index)
    {
        var dmb = state.Dmb(index);
        var token = U64(dmb, CecLayout.DToken);
        if (Interlocked.Exchange(ref I32(dmb, CecLayout.DState), (int)DmbState.Unregistering) == (int)DmbState.Registered)
        {
            // The registration ends here: the LPAR may unmap the pages without a fault once this returns (it cannot
            // before: unmapping takes the CEC lock we hold while moves in flight finish).
            iommu.UnpinLocked(I32(dmb, CecLayout.DOwner), U64(dmb, CecLayout.DIova), U32(dmb, CecLayout.DLength));
        }

        // A mover publishes the token it writes into (its hazard) before it re-checks the DMB's state; we changed
        // the state before reading the hazards, so either it sees Unregistering or we see its hazard. The wait is
        // bounded and looks at nothing but the hazards: a stopped mover must not keep the CEC lock taken.
        var deadline = Environment.TickCount64 + (long)MoveWait.TotalMilliseconds;
        var spin = new SpinWait();
        while (InFlight(token))
        {
            if (Environment.TickCount64 >= deadline)
            {
                Interlocked.Increment(ref I32(state.Header, CecLayout.HPendingFrees));
                return false;
            }

            spin.SpinOnce(sleep1Threshold: 30);
        }

        Free(dmb);
        return true;
    }

    /// <summary>Frees entry <paramref name="index"/>, left Unregistering earlier, if no move into it is in flight now. Must hold the CEC lock.</summary>
    internal bool TryFreeLocked(int index)
    {
        var dmb = state.Dmb(index);
        if (Volatile.Read(ref I32(dmb, CecLayout.DState)) != (int)DmbState.Unregistering || InFlight(U64(dmb, CecLayout.DToken)))
        {
            return false;
        }

        Free(dmb);
        return true;
    }

    private bool InFlight(ulong token)
    {
        for (var f = 0; f < state.FunctionCount; f++)
        {
            if (Volatile.Read(ref U64(state.Function(f), CecLayout.FHazard)) == token)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Returns the entry's slot and count to its owner, then marks it free (last, so a torn free is seen as not freed).</summary>
    private void Free(byte* dmb)
    {
        var owner = state.Function(I32(dmb, CecLayout.DOwner));
        var slot = (int)U32(dmb, CecLayout.DSbaIndex);
        AtomicAndNotByte(owner + CecLayout.FSbaSlots + (slot / 8), (byte)(0x80 >> (slot % 8)));
        Interlocked.Decrement(ref I32(owner, CecLayout.FDmbCount));
        new Span<byte>(dmb + 4, CecLayout.DmbEntrySize - 4).Clear();
        Volatile.Write(ref I32(dmb, CecLayout.DState), (int)DmbState.Free);
    }
}
