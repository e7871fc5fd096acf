using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>Raises a function's interrupt (futex word plus wake; lost and late faults) and sets a signalled DMB's SBA bits.</summary>
/// <remarks>The SBA is written through the emulated IOMMU: an SBA still registered but no longer mapped is an IOMMU fault.</remarks>
internal sealed unsafe class CecInterrupts(CecStateFile state, IommuMappings iommu, IommuFaults faults)
{
    /// <summary>Sets the DMB's bit in the owner's SBA, ORs <paramref name="dmbeIndex"/> into its mask, sets the summary bit, then raises the interrupt.</summary>
    internal void SignalDmb(int owner, int sbaIndex, int dmbeIndex)
    {
        var fn = state.Function(owner);
        var sba = Sba(owner, fn, holdsCecLock: false);
        if (sba is null)
        {
            return;
        }

        // Spec §3.2: the mask first, then the DMB bit, then the summary bit. A driver that clears the DMB bit and then
        // takes the mask therefore always finds the element that set the bit; the other order loses it (the scan takes
        // an empty mask, and the element's bit lands after the DMB bit was cleared, where no scan looks).
        // dmbe_mask[sba_idx] is a big-endian u16; DMBE index k is bit k counted from the most significant bit.
        var maskBit = (ushort)(0x8000 >> (dmbeIndex & 15));
        var mask = sba + IsmEventCodes.SbaMaskOffset + (sbaIndex * 2);
        if ((maskBit >> 8) != 0)
        {
            AtomicOrByte(mask, (byte)(maskBit >> 8));
        }
        else
        {
            AtomicOrByte(mask + 1, (byte)maskBit);
        }

        AtomicOrByte(sba + 4 + (sbaIndex / 8), (byte)(0x80 >> (sbaIndex % 8)));
        AtomicOrByte(sba, 0x80);
        Interlocked.Increment(ref I64(fn, CecLayout.FStatSignals));
        Raise(owner);
    }

    /// <summary>Sets the SBA's summary and event bits (an event is in the IEQ), then raises the interrupt. Must hold the CEC lock.</summary>
    internal void SignalEventLocked(int function)
    {
        var sba = Sba(function, state.Function(function), holdsCecLock: true);
        if (sba is not null)
        {
            AtomicOrByte(sba, 0x80 | 0x40); // s (summary) and e (event)
        }

        Raise(function);
    }

    /// <summary>Raises the MSI of <paramref name="function"/>, honouring injected interrupt faults (lost, late).</summary>
    internal void Raise(int function)
    {
        var fn = state.Function(function);
        if (Volatile.Read(ref I32(fn, CecLayout.FLoseInterrupts)) > 0
            && Interlocked.Decrement(ref I32(fn, CecLayout.FLoseInterrupts)) >= 0)
        {
            Interlocked.Increment(ref I64(fn, CecLayout.FStatLostInterrupts));
            return;
        }

        var permille = Volatile.Read(ref U32(fn, CecLayout.FLoseInterruptPermille));
        if (permille > 0 && Random.Shared.Next(1000) < permille)
        {
            Interlocked.Increment(ref I64(fn, CecLayout.FStatLostInterrupts));
            return;
        }

        var delayUs = Volatile.Read(ref U32(fn, CecLayout.FDelayInterruptUs));
        if (delayUs > 0)
        {
            _ = DeliverLateAsync(function, delayUs);
            return;
        }

        Deliver(fn);
    }

    /// <summary>
    /// Makes whoever sleeps on the interrupt of function entry <paramref name="fn"/> look again (its world changed)
    /// without counting an interrupt and without any injected fault.
    /// </summary>
    internal static void Nudge(byte* fn)
    {
        Interlocked.Increment(ref I32(fn, CecLayout.FIrqCounter));
        WakeWaiters(fn);
    }

    private Task DeliverLateAsync(int function, uint delayUs) =>
        Task.Delay(TimeSpan.FromMicroseconds(delayUs)).ContinueWith(
            _ => DeliverLate(function), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    private void DeliverLate(int function)
    {
        // The view may have been closed while the interrupt was on its way; then nobody here is left to tell.
        if (!state.IsDisposed)
        {
            Deliver(state.Function(function));
        }
    }

    private static void Deliver(byte* fn)
    {
        Interlocked.Increment(ref I64(fn, CecLayout.FStatInterrupts));
        Interlocked.Increment(ref I32(fn, CecLayout.FIrqCounter));
        WakeWaiters(fn);
    }

    private static void WakeWaiters(byte* fn)
    {
        if (Volatile.Read(ref I32(fn, CecLayout.FIrqWaiters)) > 0)
        {
            Interop.FutexWake((int*)(fn + CecLayout.FIrqCounter), int.MaxValue);
        }
    }

    /// <summary>The registered SBA of <paramref name="function"/> as the device reaches it; null when none, or when it is not mapped (then the function faults).</summary>
    private byte* Sba(int function, byte* fn, bool holdsCecLock)
    {
        var iova = Volatile.Read(ref U64(fn, CecLayout.FSbaIova));
        if (iova == 0)
        {
            return null;
        }

        var sba = iommu.Translate(function, I32(fn, CecLayout.FLpar), iova, IsmEventCodes.SbaSize);
        if (sba is null && Volatile.Read(ref U64(fn, CecLayout.FSbaIova)) == iova)
        {
            // Still registered, yet not mapped: the device's write into the SBA faults (had it been unregistered
            // meanwhile, there would be nothing to write).
            if (holdsCecLock)
            {
                faults.RaiseLocked(function, iova, IommuFaultKind.UnmappedAccess);
            }
            else
            {
                faults.Raise(function, iova, IommuFaultKind.UnmappedAccess);
            }
        }

        return sba;
    }
}
