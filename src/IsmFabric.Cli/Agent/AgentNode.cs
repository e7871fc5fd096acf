using IsmFabric.Emulation;
using IsmFabric.Ism;

namespace IsmFabric.Cli.Agent;

/// <summary>
/// One emulated LPAR process with one ISM function brought up, plus the small loop the agents and benchmarks need:
/// wait for the interrupt, process it, hand back signals and events. (The fabric node's device actor does this
/// for real; these agents exist to drive the driver from outside, in tests and benchmarks.)
/// </summary>
internal sealed class AgentNode : IDisposable
{
    private readonly EmulatedLpar _lpar;
    private readonly Queue<IsmEvent> _events = new();

    private AgentNode(EmulatedLpar lpar, IsmFunction function)
    {
        _lpar = lpar;
        Function = function;
    }

    internal IsmFunction Function { get; }

    internal static AgentNode Start(string cec, string lpar, uint? fid = null)
    {
        var attached = EmulatedLpar.Attach(cec, lpar);
        try
        {
            var f = fid ?? attached.Functions[0].Fid;
            var function = new IsmFunction(attached.OpenFunction(f));
            function.BringUp();
            return new AgentNode(attached, function);
        }
        catch
        {
            attached.Dispose();
            throw;
        }
    }

    /// <summary>Blocks until <paramref name="dmb"/> is signalled; events seen meanwhile are queued for <see cref="TakeEvents"/>.</summary>
    internal void WaitForSignal(Dmb dmb, TimeSpan timeout, CancellationToken ct = default)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            // Process first: a signal may already be in the SBA (a lost interrupt, or one consumed earlier).
            if (Process(dmb))
            {
                return;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException($"no signal on {dmb} within {timeout.TotalSeconds:0.#} s");
            }

            ct.ThrowIfCancellationRequested();
            Function.Interrupts.Wait(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200), ct);
        }
    }

    /// <summary>Processes pending interrupts; true when <paramref name="dmb"/> was among the signalled DMBs.</summary>
    internal bool Process(Dmb? dmb)
    {
        var batch = Function.ProcessInterrupts();
        foreach (var e in batch.Events)
        {
            _events.Enqueue(e);
        }

        return dmb is not null && batch.Signals.Any(s => s.Dmb == dmb);
    }

    internal List<IsmEvent> TakeEvents()
    {
        var list = _events.ToList();
        _events.Clear();
        return list;
    }

    public void Dispose()
    {
        Function.Dispose();
        _lpar.Dispose();
    }
}
