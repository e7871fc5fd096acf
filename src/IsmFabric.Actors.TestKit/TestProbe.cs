using System.Threading.Channels;
using Xunit.Sdk;

namespace IsmFabric.Actors.TestKit;

/// <summary>
/// An actor driven from the test thread: send through it, and assert on what it received with
/// <see cref="ExpectMsg{T}(TimeSpan?)"/>, <see cref="ExpectNoMsg(TimeSpan?)"/> and <see cref="ExpectTerminated"/>.
/// Waits are in real time; a wait that times out fails the test with a message saying what was expected.
/// </summary>
public sealed class TestProbe
{
    private readonly Channel<ReceivedMessage> _queue = Channel.CreateUnbounded<ReceivedMessage>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TimeSpan _defaultTimeout;
    private readonly TimeSpan _defaultNoMessage;

    internal TestProbe(ActorSystem system, string? name, TimeSpan defaultTimeout, TimeSpan defaultNoMessage)
    {
        System = system;
        _defaultTimeout = defaultTimeout;
        _defaultNoMessage = defaultNoMessage;
        Ref = system.SystemActorOf(Props.Create(() => new ProbeActor(_queue.Writer)), name);
    }

    /// <summary>The probe's actor reference: pass it as a sender, a watcher or a reply-to.</summary>
    public IActorRef Ref { get; }

    /// <summary>The system the probe lives in.</summary>
    public ActorSystem System { get; }

    /// <summary>The sender of the last message taken from the queue.</summary>
    public IActorRef? LastSender { get; private set; }

    /// <summary>The last message taken from the queue.</summary>
    public object? LastMessage { get; private set; }

    /// <summary>Messages received and not yet taken.</summary>
    public int PendingCount => _queue.Reader.Count;

    /// <summary>Tells <paramref name="message"/> to <paramref name="target"/> with the probe as sender.</summary>
    /// <param name="target">The recipient.</param>
    /// <param name="message">The message.</param>
    public void Send(IActorRef target, object message)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Tell(message, Ref);
    }

    /// <summary>Tells <paramref name="message"/> to the sender of the last message taken.</summary>
    /// <param name="message">The reply.</param>
    public void Reply(object message) =>
        (LastSender ?? throw new InvalidOperationException("No message has been received yet")).Tell(message, Ref);

    /// <summary>Forwards the last message taken to <paramref name="target"/>, keeping its original sender.</summary>
    /// <param name="target">The recipient.</param>
    public void Forward(IActorRef target)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Tell(LastMessage ?? throw new InvalidOperationException("No message has been received yet"), LastSender);
    }

    /// <summary>Watches <paramref name="target"/>; returns once the watch is in place.</summary>
    /// <param name="target">The actor.</param>
    /// <returns><paramref name="target"/>.</returns>
    public IActorRef Watch(IActorRef target)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Ref.Tell(new ProbeActor.WatchRequest(target, done), null);
        Wait(done.Task, "watch " + target.Path);
        return target;
    }

    /// <summary>Stops watching <paramref name="target"/>; returns once done.</summary>
    /// <param name="target">The actor.</param>
    /// <returns><paramref name="target"/>.</returns>
    public IActorRef Unwatch(IActorRef target)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Ref.Tell(new ProbeActor.UnwatchRequest(target, done), null);
        Wait(done.Task, "unwatch " + target.Path);
        return target;
    }

    /// <summary>Takes the next message, failing the test if it is not a <typeparamref name="T"/> or none arrives in time.</summary>
    /// <typeparam name="T">The expected type.</typeparam>
    /// <param name="timeout">How long to wait; default from the settings.</param>
    /// <returns>The message.</returns>
    public T ExpectMsg<T>(TimeSpan? timeout = null)
    {
        var received = ReceiveOrFail(timeout, $"a {typeof(T).Name}");
        return received.Message is T typed
            ? typed
            : throw new XunitException($"Expected a {typeof(T).Name} but received {Describe(received.Message)}");
    }

    /// <summary>Takes the next message, failing the test unless it equals <paramref name="expected"/>.</summary>
    /// <typeparam name="T">The expected type.</typeparam>
    /// <param name="expected">The expected message (compared with Equals; records compare by value).</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>The message.</returns>
    public T ExpectMsg<T>(T expected, TimeSpan? timeout = null)
        where T : notnull
    {
        var received = ReceiveOrFail(timeout, Describe(expected));
        return received.Message is T typed && Equals(typed, expected)
            ? typed
            : throw new XunitException($"Expected {Describe(expected)} but received {Describe(received.Message)}");
    }

    /// <summary>Takes the next message, failing the test unless it is a <typeparamref name="T"/> that satisfies <paramref name="isMatch"/>.</summary>
    /// <typeparam name="T">The expected type.</typeparam>
    /// <param name="isMatch">The condition.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>The message.</returns>
    public T ExpectMsg<T>(Func<T, bool> isMatch, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(isMatch);
        var received = ReceiveOrFail(timeout, $"a matching {typeof(T).Name}");
        return received.Message is T typed && isMatch(typed)
            ? typed
            : throw new XunitException($"Expected a matching {typeof(T).Name} but received {Describe(received.Message)}");
    }

    /// <summary>Fails the test if any message arrives within <paramref name="duration"/>.</summary>
    /// <param name="duration">How long to watch; default from the settings.</param>
    public void ExpectNoMsg(TimeSpan? duration = null)
    {
        if (TryTake(out var received, duration ?? _defaultNoMessage))
        {
            Take(received);
            throw new XunitException($"Expected no message but received {Describe(received.Message)} from {received.Sender.Path}");
        }
    }

    /// <summary>Takes the next message, failing the test unless it is <see cref="Terminated"/> for <paramref name="target"/> (watch it first).</summary>
    /// <param name="target">The actor expected to stop.</param>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>The message.</returns>
    public Terminated ExpectTerminated(IActorRef target, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        var received = ReceiveOrFail(timeout, $"Terminated({target.Path})");
        return received.Message is Terminated t && ReferenceEquals(t.ActorRef, target)
            ? t
            : throw new XunitException($"Expected Terminated({target.Path}) but received {Describe(received.Message)}");
    }

    /// <summary>Takes the next message of any type.</summary>
    /// <param name="timeout">How long to wait.</param>
    /// <returns>The message.</returns>
    public object ReceiveOne(TimeSpan? timeout = null) => ReceiveOrFail(timeout, "any message").Message;

    /// <summary>Takes the next <paramref name="count"/> messages, all within <paramref name="timeout"/>.</summary>
    /// <param name="count">How many.</param>
    /// <param name="timeout">The overall time allowed.</param>
    /// <returns>The messages in arrival order.</returns>
    public IReadOnlyList<object> ReceiveN(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? _defaultTimeout);
        var result = new List<object>(count);
        while (result.Count < count)
        {
            var left = deadline - DateTime.UtcNow;
            if (left < TimeSpan.Zero || !TryTake(out var received, left))
            {
                throw new XunitException($"Expected {count} messages but received {result.Count} within {timeout ?? _defaultTimeout}");
            }

            Take(received);
            result.Add(received.Message);
        }

        return result;
    }

    /// <summary>Takes messages until one of type <typeparamref name="T"/> satisfies <paramref name="isMatch"/>, skipping the others.</summary>
    /// <typeparam name="T">The type looked for.</typeparam>
    /// <param name="isMatch">The condition.</param>
    /// <param name="timeout">The overall time allowed.</param>
    /// <returns>The matching message.</returns>
    public T FishForMessage<T>(Func<T, bool> isMatch, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(isMatch);
        var deadline = DateTime.UtcNow + (timeout ?? _defaultTimeout);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left < TimeSpan.Zero || !TryTake(out var received, left))
            {
                throw new XunitException($"No matching {typeof(T).Name} arrived within {timeout ?? _defaultTimeout}");
            }

            Take(received);
            if (received.Message is T typed && isMatch(typed))
            {
                return typed;
            }
        }
    }

    private ReceivedMessage ReceiveOrFail(TimeSpan? timeout, string expected)
    {
        var wait = timeout ?? _defaultTimeout;
        if (!TryTake(out var received, wait))
        {
            throw new XunitException($"Timeout ({wait}) while waiting for {expected}");
        }

        Take(received);
        return received;
    }

    private bool TryTake(out ReceivedMessage received, TimeSpan timeout)
    {
        var reader = _queue.Reader;
        var deadline = DateTime.UtcNow + timeout;
        while (!reader.TryRead(out received!))
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !reader.WaitToReadAsync().AsTask().Wait(left))
            {
                return false;
            }
        }

        return true;
    }

    private void Take(ReceivedMessage received)
    {
        LastMessage = received.Message;
        LastSender = received.Sender;
    }

    private void Wait(Task task, string what)
    {
        if (!task.Wait(_defaultTimeout))
        {
            throw new XunitException($"Timeout ({_defaultTimeout}) while waiting for the probe to {what}");
        }
    }

    private static string Describe(object? message) => message is null ? "null" : $"{message.GetType().Name} {message}";
}
