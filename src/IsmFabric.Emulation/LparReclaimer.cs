using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>The reclaim pass: finds attached LPARs whose process died and releases their functions under the CEC lock.</summary>
/// <remarks>An LPAR is dead when nobody holds its lock file. Any process may run the pass at any time.</remarks>
internal sealed unsafe class LparReclaimer(
    string directory, CecDefinition definition, CecStateFile state, CecLock cecLock, FunctionTeardown teardown, CecConsistency consistency,
    IommuMappings iommu)
{
    /// <summary>True while the process attached to LPAR <paramref name="lpar"/> is alive (it holds the LPAR's lock file).</summary>
    internal bool IsLparAlive(int lpar)
    {
        if ((LparState)Volatile.Read(ref I32(state.Lpar(lpar), CecLayout.LState)) != LparState.Attached)
        {
            return false;
        }

        using var probe = LockFile.OpenOrCreate(CecFiles.LparLockPath(directory, definition.Lpars[lpar].Name));
        if (probe.TryLockExclusive())
        {
            probe.Unlock();
            return false;
        }

        return true;
    }

    /// <summary>
    /// Finds LPARs marked attached whose process is gone and reclaims what they held, raising the events firmware
    /// raises for a disabled function; then finishes DMB frees that waited for a move. With <paramref name="full"/>
    /// (attach, <c>cec show</c>) it also runs the consistency pass when nothing looks wrong. Safe to call from any
    /// process at any time; returns the LPARs reclaimed.
    /// </summary>
    internal IReadOnlyList<string> Repair(bool full = false)
    {
        var dead = new List<int>();
        for (var l = 0; l < definition.Lpars.Count; l++)
        {
            if ((LparState)Volatile.Read(ref I32(state.Lpar(l), CecLayout.LState)) == LparState.Attached && !IsLparAlive(l))
            {
                dead.Add(l);
            }
        }

        if (dead.Count == 0 && !full && !consistency.HasPendingFrees)
        {
            return [];
        }

        var reclaimed = new List<string>();
        using (cecLock.Enter())
        {
            foreach (var l in dead)
            {
                // Checked again under the lock: another process may have repaired it, or a new process attached.
                if ((LparState)I32(state.Lpar(l), CecLayout.LState) == LparState.Attached && !IsLparAlive(l))
                {
                    ReclaimLparLocked(l);
                    reclaimed.Add(definition.Lpars[l].Name);
                }
            }

            consistency.RepairLocked();
        }

        return reclaimed;
    }

    /// <summary>
    /// Releases every function LPAR <paramref name="lpar"/> uses, then drops its DMA mappings (a dead process's
    /// containers are closed by the kernel, after its devices), and marks it detached. Must hold the CEC lock.
    /// </summary>
    internal void ReclaimLparLocked(int lpar)
    {
        // A dead process has no store in flight: its hazards go first, so that unregistering its DMBs below neither waits
        // for a store of its own nor leaves them pending, and so that a function unplugged and replugged while the process
        // was inside a store (no longer held by it, so not disabled below) does not keep that hazard for good (found by
        // CecInvariantProperties). A process detaching cleanly closed its devices first: no store of its is in flight.
        for (var f = 0; f < state.FunctionCount; f++)
        {
            if (I32(state.Function(f), CecLayout.FLpar) == lpar)
            {
                Volatile.Write(ref U64(state.Function(f), CecLayout.FHazard), 0UL);
            }
        }

        for (var f = 0; f < state.FunctionCount; f++)
        {
            if (I32(state.Function(f), CecLayout.FLpar) == lpar && I32(state.Function(f), CecLayout.FPid) != 0)
            {
                teardown.DisableFunctionLocked(f, DisableReason.Released);
            }
        }

        iommu.ClearLocked(lpar);
        I32(state.Lpar(lpar), CecLayout.LPid) = 0;
        Volatile.Write(ref I32(state.Lpar(lpar), CecLayout.LState), (int)LparState.Detached);
    }
}
