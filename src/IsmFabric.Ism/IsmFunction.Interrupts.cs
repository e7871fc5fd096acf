using Microsoft.Extensions.Logging;

namespace IsmFabric.Ism;

// Interrupt processing (spec §3.5) over the SbaScanner and the IeqReader, and the answer to test-link requests.
public sealed partial class IsmFunction
{
    /// <summary>
    /// One pass of the interrupt handler (spec §3.5), collected into a batch (tests, tools). The device's interrupt
    /// thread uses <see cref="ProcessInterrupts(IIsmInterruptHandler)"/>, which builds nothing per interrupt.
    /// </summary>
    public IsmInterruptBatch ProcessInterrupts()
    {
        var collector = new InterruptBatchCollector();
        ProcessInterrupts(collector);
        return collector.ToBatch();
    }

    /// <summary>
    /// One pass of the interrupt handler (spec §3.5): clear the summary bit; for every DMB bit set from slot 32,
    /// clear it, take (and zero) its DMBE mask and hand the DMB to <paramref name="handler"/>; then, if the event bit
    /// is set, clear it and drain the IEQ into the handler. Test-link requests are answered here. Safe to call with no
    /// interrupt pending (a poll after a lost interrupt). One thread at a time.
    /// </summary>
    public void ProcessInterrupts(IIsmInterruptHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var sba = _sba ?? throw new InvalidOperationException($"{Name} is not up");
        if (sba.Scan(handler))
        {
            (_ieq ?? throw new InvalidOperationException($"{Name} is not up")).Drain(handler);
        }
    }

    /// <summary>
    /// Whether the function still answers a PCI load (one load of the command area's response header, between
    /// commands): null while it does, else the error. A function that entered error state says nothing to its own
    /// driver (its peers get events; spec §3.4), so an interrupt that brought no work is a reason to look.
    /// </summary>
    public Exception? Probe() => (_commands ?? throw new InvalidOperationException($"{Name} is not up")).Probe();

    private IsmEvent AnswerIfTestLink(IsmEvent ev)
    {
        if (ev.Type != IsmEventType.Software || ev.Code != IsmEventCode.TestLink)
        {
            return ev;
        }

        var info = TestLinkInfo.Decode(ev.Info);
        if (info.Code != TestLinkInfo.Request)
        {
            return ev;
        }

        try
        {
            SignalEvent(ev.Gid, IsmEventCode.TestLink, (info with { Code = TestLinkInfo.Response }).Encode(), triggerInterrupt: true);
            return ev with { Answered = true };
        }
        catch (IsmException e)
        {
            _logger.LogWarning(e, "ISM function {Device}: test-link answer to {Gid} failed", Name, ev.Gid);
            return ev;
        }
    }
}
