namespace IsmFabric.Actors;

/// <summary>A one-shot reference that completes an Ask: the first message it receives is the answer.</summary>
internal sealed class PromiseActorRef : IInternalActorRef
{
    private readonly TaskCompletionSource<object> _promise = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ICancelable? _timeout;

    public PromiseActorRef(ActorPath path) => Path = path;

    public ActorPath Path { get; }

    public Task<object> Task => _promise.Task;

    public void SetTimeout(ICancelable timeout)
    {
        _timeout = timeout;
        if (_promise.Task.IsCompleted)
        {
            timeout.Cancel();
        }
    }

    public bool Fail(Exception exception) => _promise.TrySetException(exception);

    public void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        var completed = message is Status.Failure failure
            ? _promise.TrySetException(failure.Cause)
            : _promise.TrySetResult(message);
        if (completed)
        {
            _timeout?.Cancel();
        }
    }

    public void SendSystemMessage(SystemMessage message)
    {
        if (message is SystemMessage.Watch watch && _promise.Task.IsCompleted)
        {
            watch.Watcher.SendSystemMessage(new SystemMessage.DeathWatchNotification(this));
        }
    }

    public override string ToString() => $"Promise[{Path}]";
}
