namespace IsmFabric.Vfio;

/// <summary>
/// An interrupt vector delivered to user space: an eventfd on the kernel path, a shared-memory futex on the
/// emulated machine. Each interrupt adds one to a counter; waiting consumes the whole count.
/// </summary>
public interface IInterruptSource : IDisposable
{
    /// <summary>
    /// Blocks until at least one interrupt is pending, the timeout passes or the token is cancelled; returns the
    /// number of interrupts consumed (0 on timeout or cancellation).
    /// </summary>
    long Wait(TimeSpan timeout, CancellationToken cancellationToken = default);

    /// <summary>Consumes pending interrupts without blocking; returns how many there were.</summary>
    long TryConsume();
}
