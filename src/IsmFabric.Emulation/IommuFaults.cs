using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>Raises an IOMMU fault on a function: counts and records it, then puts the function into the error state.</summary>
/// <remarks>
/// What a fault does follows the hardware (see <c>docs/emulated-cec.md</c>, "The IOMMU"): the function enters the
/// error state, its registrations are dropped and its peers get the error-state events of spec §3.4. The count, the
/// faulting IOVA and the kind stay in the function's entry in <c>cec.state</c>, for <c>cec show</c> and for tests
/// that assert none happened.
/// </remarks>
/// <param name="state">The shared tables.</param>
/// <param name="cecLock">The CEC lock (a fault may be raised by a thread that already holds it).</param>
/// <param name="enterErrorStateLocked">Puts a function into the error state with its events; called under the CEC lock.</param>
internal sealed unsafe class IommuFaults(CecStateFile state, CecLock cecLock, Action<int> enterErrorStateLocked)
{
    /// <summary>
    /// Faults <paramref name="function"/> for <paramref name="kind"/> at <paramref name="iova"/>, taking the CEC lock. The
    /// fault is recorded in any case; when a stopped process keeps the lock past its bound, the function's error state
    /// waits for the next fault (the access that faulted fails all the same).
    /// </summary>
    internal void Raise(int function, ulong iova, IommuFaultKind kind)
    {
        Record(function, iova, kind);
        try
        {
            using (cecLock.Enter())
            {
                enterErrorStateLocked(function);
            }
        }
        catch (CecBusyException)
        {
        }
    }

    /// <summary>Faults <paramref name="function"/> for <paramref name="kind"/> at <paramref name="iova"/>. Must hold the CEC lock.</summary>
    internal void RaiseLocked(int function, ulong iova, IommuFaultKind kind)
    {
        Record(function, iova, kind);
        enterErrorStateLocked(function);
    }

    /// <summary>The last fault of function entry <paramref name="fn"/> in words ("unmap of IOVA 0x… …"); null when it never faulted.</summary>
    internal static string? DescribeLast(byte* fn)
    {
        var count = Volatile.Read(ref I64(fn, CecLayout.FStatIommuFaults));
        if (count == 0)
        {
            return null;
        }

        var iova = Volatile.Read(ref U64(fn, CecLayout.FIommuFaultIova));
        var what = (IommuFaultKind)Volatile.Read(ref U32(fn, CecLayout.FIommuFaultKind)) switch
        {
            IommuFaultKind.UnmapInUse => $"unmap of IOVA 0x{iova:x} while a registration of the function still covered it",
            IommuFaultKind.UnmappedAccess => $"device access to IOVA 0x{iova:x}, which the function has not mapped",
            var other => $"fault {other} at IOVA 0x{iova:x}",
        };
        return count == 1 ? what : $"{what} (and {count - 1} earlier)";
    }

    private void Record(int function, ulong iova, IommuFaultKind kind)
    {
        var fn = state.Function(function);
        Volatile.Write(ref U64(fn, CecLayout.FIommuFaultIova), iova);
        Volatile.Write(ref U32(fn, CecLayout.FIommuFaultKind), (uint)kind);
        Interlocked.Increment(ref I64(fn, CecLayout.FStatIommuFaults)); // last: a reader that sees the count sees the fault
    }
}
