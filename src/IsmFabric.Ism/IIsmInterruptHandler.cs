namespace IsmFabric.Ism;

/// <summary>
/// Receives what one pass of <see cref="IsmFunction.ProcessInterrupts(IIsmInterruptHandler)"/> finds, as it finds it:
/// no list is built per interrupt. Called on the thread that processes interrupts.
/// </summary>
public interface IIsmInterruptHandler
{
    /// <summary>A registered DMB was signalled; <paramref name="mask"/> is its DMBE mask (taken and zeroed).</summary>
    void OnSignal(Dmb dmb, ushort mask);

    /// <summary>An IEQ event (test-link requests were answered already; see <see cref="IsmEvent.Answered"/>).</summary>
    void OnEvent(IsmEvent ev);

    /// <summary>A signal bit for a slot with no registered DMB (a DMB unregistered while its signal was in flight).</summary>
    void OnStraySignal(int slot);

    /// <summary>Something in the SBA or IEQ was not as the spec says; the pass went on.</summary>
    void OnError(string problem);
}
