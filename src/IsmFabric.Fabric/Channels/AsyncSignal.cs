using System.Threading.Tasks.Sources;

namespace IsmFabric.Fabric.Channels;

/// <summary>
/// An auto-reset signal one waiter at a time awaits without allocating: <see cref="Set"/> (from any thread, e.g. the
/// interrupt thread) wakes the waiter, or the next <see cref="WaitAsync"/> returns at once. Continuations run on the
/// thread pool, never on the thread that set it. A waiter always looks again at what it waits for after waking.
/// </summary>
internal sealed class AsyncSignal : IValueTaskSource
{
    private const int Idle = 0;
    private const int Waiting = 1;
    private const int Signalled = 2;
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private int _state;
    private CancellationTokenRegistration _cancellation;

    /// <summary>Wakes the waiter, or lets the next wait return at once.</summary>
    public void Set()
    {
        if (Interlocked.Exchange(ref _state, Signalled) == Waiting)
        {
            _core.SetResult(true);
        }
    }

    /// <summary>Waits for <see cref="Set"/>; one waiter at a time.</summary>
    public ValueTask WaitAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Signalled) == Signalled)
        {
            return ValueTask.CompletedTask;
        }

        cancellationToken.ThrowIfCancellationRequested();
        _core.Reset();
        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) != Idle)
        {
            Volatile.Write(ref _state, Idle); // signalled between the two looks
            return ValueTask.CompletedTask;
        }

        if (cancellationToken.CanBeCanceled)
        {
            _cancellation = cancellationToken.UnsafeRegister(static s => ((AsyncSignal)s!).Cancel(), this);
        }

        return new ValueTask(this, _core.Version);
    }

    private void Cancel()
    {
        if (Interlocked.CompareExchange(ref _state, Idle, Waiting) == Waiting)
        {
            _core.SetException(new OperationCanceledException());
        }
    }

    void IValueTaskSource.GetResult(short token)
    {
        _cancellation.Dispose();
        _cancellation = default;
        Interlocked.CompareExchange(ref _state, Idle, Signalled);
        _core.GetResult(token);
    }

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
