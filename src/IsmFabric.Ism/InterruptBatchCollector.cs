namespace IsmFabric.Ism;

/// <summary>Collects one interrupt pass into lists, for <see cref="IsmFunction.ProcessInterrupts()"/>.</summary>
internal sealed class InterruptBatchCollector : IIsmInterruptHandler
{
    private readonly List<DmbSignal> _signals = [];
    private readonly List<IsmEvent> _events = [];
    private readonly List<string> _errors = [];
    private int _stray;

    public void OnSignal(Dmb dmb, ushort mask) => _signals.Add(new DmbSignal(dmb, mask));

    public void OnEvent(IsmEvent ev) => _events.Add(ev);

    public void OnStraySignal(int slot) => _stray++;

    public void OnError(string problem) => _errors.Add(problem);

    /// <summary>What was collected, as the batch <see cref="IsmFunction.ProcessInterrupts()"/> returns.</summary>
    internal IsmInterruptBatch ToBatch() => new(_signals, _events, _stray, _errors);
}
