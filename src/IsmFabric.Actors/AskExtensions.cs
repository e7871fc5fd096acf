namespace IsmFabric.Actors;

/// <summary>Request–response with an actor: the reply completes a task, or the timeout fails it with <see cref="AskTimeoutException"/>.</summary>
public static class AskExtensions
{
    /// <summary>Sends <paramref name="message"/> with a temporary sender and waits for its first reply.</summary>
    /// <param name="actor">The actor asked.</param>
    /// <param name="message">The question.</param>
    /// <param name="timeout">How long to wait (on the system's scheduler); <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The reply; a <see cref="Status.Failure"/> reply is thrown as its exception.</returns>
    public static Task<object> Ask(this IActorRef actor, object message, TimeSpan timeout, CancellationToken cancellationToken = default) =>
        Ask(actor, _ => message, timeout, cancellationToken);

    /// <summary>Sends the message built by <paramref name="messageFactory"/> (which gets the reply-to reference) and waits for its first reply.</summary>
    /// <param name="actor">The actor asked.</param>
    /// <param name="messageFactory">Builds the question from the reply-to reference.</param>
    /// <param name="timeout">How long to wait; <see cref="Timeout.InfiniteTimeSpan"/> waits forever.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The reply.</returns>
    public static Task<object> Ask(this IActorRef actor, Func<IActorRef, object> messageFactory, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(actor);
        ArgumentNullException.ThrowIfNull(messageFactory);
        var system = ActorSystem.Of(actor)
            ?? throw new ArgumentException($"{actor.Path} is not an actor of this runtime", nameof(actor));
        var promise = system.CreatePromise();
        var message = messageFactory(promise);
        if (timeout != Timeout.InfiniteTimeSpan)
        {
            var type = message.GetType().Name;
            promise.SetTimeout(system.Scheduler.ScheduleOnce(timeout, () => promise.Fail(
                new AskTimeoutException($"Ask to {actor.Path} with {type} got no reply within {timeout}"))));
        }

        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(static p => ((PromiseActorRef)p!).Fail(new TaskCanceledException()), promise);
            promise.Task.ContinueWith(static (_, r) => ((CancellationTokenRegistration)r!).Dispose(), registration, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        actor.Tell(message, promise);
        return promise.Task;
    }

    /// <summary>Like <see cref="Ask(IActorRef, object, TimeSpan, CancellationToken)"/>, and casts the reply to <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The expected reply type.</typeparam>
    /// <param name="actor">The actor asked.</param>
    /// <param name="message">The question.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The reply; an <see cref="InvalidCastException"/> if it is of another type.</returns>
    public static async Task<T> Ask<T>(this IActorRef actor, object message, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var reply = await Ask(actor, message, timeout, cancellationToken).ConfigureAwait(false);
        return reply is T typed
            ? typed
            : throw new InvalidCastException($"Ask to {actor.Path} expected a {typeof(T).Name} reply but got {reply.GetType().Name}");
    }

    /// <summary>Like <see cref="Ask(IActorRef, Func{IActorRef, object}, TimeSpan, CancellationToken)"/>, and casts the reply to <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The expected reply type.</typeparam>
    /// <param name="actor">The actor asked.</param>
    /// <param name="messageFactory">Builds the question from the reply-to reference.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The reply.</returns>
    public static async Task<T> Ask<T>(this IActorRef actor, Func<IActorRef, object> messageFactory, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var reply = await Ask(actor, messageFactory, timeout, cancellationToken).ConfigureAwait(false);
        return reply is T typed
            ? typed
            : throw new InvalidCastException($"Ask to {actor.Path} expected a {typeof(T).Name} reply but got {reply.GetType().Name}");
    }
}
