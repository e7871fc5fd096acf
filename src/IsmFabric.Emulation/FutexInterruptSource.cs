using System.Diagnostics;
using IsmFabric.Vfio;

namespace IsmFabric.Emulation;

/// <summary>
/// The MSI of an emulated function: a counter in the CEC's shared state that the raising process increments and
/// wakes with FUTEX_WAKE, the emulated twin of the eventfd VFIO hands out. Only the process owning the function waits.
/// </summary>
internal sealed unsafe class FutexInterruptSource : IInterruptSource
{
    private readonly int* _counter;
    private readonly int* _waiters;
    private int _seen;
    private bool _disposed;

    internal FutexInterruptSource(byte* counter, byte* waiters)
    {
        _counter = (int*)counter;
        _waiters = (int*)waiters;
        _seen = Volatile.Read(ref *_counter);
    }

    public long TryConsume()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var now = Volatile.Read(ref *_counter);
        var pending = unchecked(now - _seen);
        _seen = now;
        return pending;
    }

    public long Wait(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        CancellationTokenRegistration registration = default;
        try
        {
            while (true)
            {
                var pending = TryConsume();
                if (pending != 0 || cancellationToken.IsCancellationRequested)
                {
                    return pending;
                }

                var remaining = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), deadline);
                if (remaining <= TimeSpan.Zero)
                {
                    return 0;
                }

                if (cancellationToken.CanBeCanceled && registration == default)
                {
                    registration = cancellationToken.Register(static state => Interop.FutexWake((int*)(nint)state!, int.MaxValue), (nint)_counter);
                }

                Interlocked.Increment(ref *_waiters);
                try
                {
                    // Sleeps only while the counter still holds the value we consumed; a raise in between returns at once.
                    Interop.FutexWait(_counter, _seen, remaining);
                }
                finally
                {
                    Interlocked.Decrement(ref *_waiters);
                }
            }
        }
        finally
        {
            registration.Dispose();
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Interop.FutexWake(_counter, int.MaxValue);
    }
}
