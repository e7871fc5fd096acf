using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation.Tests.Invariants;

/// <summary>
/// What must hold in the emulated CEC's tables once a newcomer's repair pass ran (<see cref="EmulatedCec.Snapshot"/>),
/// whatever happened before: the machine's own consistency, plus what the model knows about stopped stores.
/// </summary>
internal static unsafe class CecInvariants
{
    /// <summary>The violations found (empty when the CEC is consistent).</summary>
    internal static List<string> Violations(CecWorld world)
    {
        var problems = new List<string>();
        var snapshot = world.Cec.Snapshot(); // repairs first, as cec show and every attach do
        var view = world.View;
        using (view.LockCec())
        {
            CheckEntries(world, problems);
            CheckFunctionsAndLpars(world, problems);
        }

        if (snapshot.Dmbs.Select(d => d.Token).Distinct().Count() != snapshot.Dmbs.Count)
        {
            problems.Add("cec show lists a token twice");
        }

        foreach (var dmb in snapshot.Dmbs.Where(d => !snapshot.Lpars.Single(l => l.Name == d.OwnerLpar).Attached))
        {
            problems.Add($"cec show lists DMB 0x{dmb.Token:x} of {dmb.OwnerLpar}, which is not attached");
        }

        return problems;
    }

    private static void CheckEntries(CecWorld world, List<string> problems)
    {
        var view = world.View;
        var counts = new int[CecWorld.FunctionCount];
        var slots = new HashSet<(int Owner, int Slot)>();
        var unregistering = 0;
        for (var d = 1; d < CecLayout.DmbCapacity; d++)
        {
            var dmb = view.Dmb(d);
            var state = (DmbState)I32(dmb, CecLayout.DState);
            if (state == DmbState.Free)
            {
                continue;
            }

            var owner = I32(dmb, CecLayout.DOwner);
            var slot = (int)U32(dmb, CecLayout.DSbaIndex);
            var token = U64(dmb, CecLayout.DToken);
            var what = $"DMB entry {d} ({state}, token 0x{token:x}, owner fn{owner}, slot {slot})";
            if (state is not (DmbState.Registered or DmbState.Unregistering) || owner is < 0 or >= CecWorld.FunctionCount
                || slot is < CecLayout.FirstDmbSlot or >= CecLayout.SlotCount)
            {
                problems.Add($"{what} is malformed");
                continue;
            }

            if (token != (ulong)d << 32)
            {
                problems.Add($"{what}: its token is not its index << 32");
            }

            if (!slots.Add((owner, slot)))
            {
                problems.Add($"{what}: another entry of fn{owner} holds slot {slot}");
            }

            counts[owner]++;
            unregistering += state == DmbState.Unregistering ? 1 : 0;
            var lpar = owner / 2;
            if (state == DmbState.Registered && (!world.IsAlive(lpar) || I32(view.Function(owner), CecLayout.FPid) == 0))
            {
                problems.Add($"{what} is registered, but its owner's LPAR lpar{lpar + 1} is {(world.IsAlive(lpar) ? "alive and the function is not open" : "gone")}");
            }

            if (state == DmbState.Registered && view.StateOf(owner) != FunctionState.InUse)
            {
                problems.Add($"{what} is registered, but its owner is {view.StateOf(owner)}");
            }
        }

        for (var f = 0; f < CecWorld.FunctionCount; f++)
        {
            var fn = view.Function(f);
            if (I32(fn, CecLayout.FDmbCount) != counts[f])
            {
                problems.Add($"fn{f} counts {I32(fn, CecLayout.FDmbCount)} DMBs, its entries are {counts[f]}");
            }

            for (var slot = 0; slot < CecLayout.SlotCount; slot++)
            {
                var bit = (*(fn + CecLayout.FSbaSlots + (slot / 8)) & (0x80 >> (slot % 8))) != 0;
                if (bit != slots.Contains((f, slot)))
                {
                    problems.Add($"fn{f} slot {slot}: bit {(bit ? "set" : "clear")}, but {(bit ? "no" : "an")} entry holds it");
                }
            }
        }

        var hazards = Enumerable.Range(0, CecWorld.FunctionCount).Count(f => U64(view.Function(f), CecLayout.FHazard) != 0);
        var pending = I32(view.Dmb(0) - CecLayout.DmbTable, CecLayout.HPendingFrees);
        if (hazards == 0 && (pending != 0 || unregistering != 0))
        {
            problems.Add($"no store is in flight, yet {pending} frees are pending and {unregistering} entries unregistering");
        }
    }

    private static void CheckFunctionsAndLpars(CecWorld world, List<string> problems)
    {
        var view = world.View;
        for (var l = 0; l < CecWorld.LparCount; l++)
        {
            var attached = (LparState)I32(view.Lpar(l), CecLayout.LState) == LparState.Attached;
            if (attached != world.IsAlive(l))
            {
                problems.Add($"lpar{l + 1} is {(attached ? "attached" : "detached")}, but its process is {(world.IsAlive(l) ? "alive" : "gone")}");
            }
        }

        for (var f = 0; f < CecWorld.FunctionCount; f++)
        {
            var fn = view.Function(f);
            if (!world.IsAlive(f / 2) && I32(fn, CecLayout.FPid) != 0)
            {
                problems.Add($"fn{f} is still held by pid {I32(fn, CecLayout.FPid)}, but lpar{(f / 2) + 1} is gone");
            }

            var hazard = U64(fn, CecLayout.FHazard);
            var stopped = world.Stopped[f / 2] is { } s && s.Fn == f ? s : null;
            if (hazard != 0 && stopped?.Token != hazard)
            {
                problems.Add($"fn{f} has a store into 0x{hazard:x} in flight, but no process of it is inside one");
            }

            if (stopped is not null && hazard != stopped.Token)
            {
                problems.Add($"fn{f}'s process is inside a store into 0x{stopped.Token:x}, but its hazard says 0x{hazard:x}");
            }

            if (stopped is not null)
            {
                // The point of the hazard: a DMB a store is being copied into is never freed (or reused) under it.
                var dmb = view.Dmb((int)((stopped.Token >> 32) & 0xFFFF));
                if (U64(dmb, CecLayout.DToken) != stopped.Token || I32(dmb, CecLayout.DState) == (int)DmbState.Free)
                {
                    problems.Add($"DMB 0x{stopped.Token:x} was freed while fn{f}'s store into it is in flight");
                }
            }
        }
    }
}
