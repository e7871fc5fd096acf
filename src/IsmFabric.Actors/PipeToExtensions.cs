namespace IsmFabric.Actors;

/// <summary>
/// Sends a task's outcome to an actor as a message, so slow or blocking work runs outside the receive and its
/// result is processed like any other message (capture <c>Sender</c> before starting the task).
/// </summary>
public static class PipeToExtensions
{
    /// <summary>Tells the task's result (or <paramref name="success"/> of it) to <paramref name="recipient"/>; a failure becomes <see cref="Status.Failure"/> (or <paramref name="failure"/> of it).</summary>
    /// <typeparam name="T">The result type.</typeparam>
    /// <param name="task">The work.</param>
    /// <param name="recipient">Who receives the outcome.</param>
    /// <param name="sender">The sender the recipient sees.</param>
    /// <param name="success">Maps the result to the message; default: the result itself (a null result becomes <see cref="Status.Success"/>).</param>
    /// <param name="failure">Maps the exception to the message; default: <see cref="Status.Failure"/>.</param>
    /// <returns>A task that completes once the message is sent.</returns>
    public static Task PipeTo<T>(this Task<T> task, IActorRef recipient, IActorRef? sender = null, Func<T, object>? success = null, Func<Exception, object>? failure = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(recipient);
        return task.ContinueWith(
            t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    recipient.Tell(success is not null ? success(t.Result) : (object?)t.Result ?? new Status.Success(null), sender);
                }
                else
                {
                    var ex = Unwrap(t);
                    recipient.Tell(failure is not null ? failure(ex) : new Status.Failure(ex), sender);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>Tells <see cref="Status.Success"/> (or <paramref name="success"/>()) to <paramref name="recipient"/> when the task completes; a failure becomes <see cref="Status.Failure"/>.</summary>
    /// <param name="task">The work.</param>
    /// <param name="recipient">Who receives the outcome.</param>
    /// <param name="sender">The sender the recipient sees.</param>
    /// <param name="success">Builds the success message; default: <see cref="Status.Success"/> with no value.</param>
    /// <param name="failure">Maps the exception to the message; default: <see cref="Status.Failure"/>.</param>
    /// <returns>A task that completes once the message is sent.</returns>
    public static Task PipeTo(this Task task, IActorRef recipient, IActorRef? sender = null, Func<object>? success = null, Func<Exception, object>? failure = null)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(recipient);
        return task.ContinueWith(
            t =>
            {
                if (t.IsCompletedSuccessfully)
                {
                    recipient.Tell(success?.Invoke() ?? new Status.Success(null), sender);
                }
                else
                {
                    var ex = Unwrap(t);
                    recipient.Tell(failure is not null ? failure(ex) : new Status.Failure(ex), sender);
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    private static Exception Unwrap(Task t)
    {
        if (t.IsCanceled)
        {
            return new TaskCanceledException(t);
        }

        var agg = t.Exception!;
        return agg.InnerExceptions.Count == 1 ? agg.InnerExceptions[0] : agg;
    }
}
