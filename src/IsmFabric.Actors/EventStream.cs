namespace IsmFabric.Actors;

/// <summary>
/// The system-wide publish/subscribe bus for runtime events (<see cref="DeadLetter"/>, <see cref="UnhandledMessage"/>,
/// <see cref="ActorFailure"/>) and anything else an application publishes. A subscription to a type receives
/// instances of that type and of its subtypes.
/// </summary>
public sealed class EventStream
{
    private readonly object _lock = new();
    private Subscription[] _subscriptions = [];

    /// <summary>Sends every published event assignable to <paramref name="channel"/> to <paramref name="subscriber"/>.</summary>
    /// <param name="subscriber">The actor that receives the events.</param>
    /// <param name="channel">The event type.</param>
    /// <returns>False when the subscription existed already.</returns>
    public bool Subscribe(IActorRef subscriber, Type channel)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        ArgumentNullException.ThrowIfNull(channel);
        lock (_lock)
        {
            if (_subscriptions.Any(s => ReferenceEquals(s.Actor, subscriber) && s.Channel == channel))
            {
                return false;
            }

            _subscriptions = [.. _subscriptions, new Subscription(channel, subscriber, null)];
            return true;
        }
    }

    /// <summary>Calls <paramref name="handler"/> synchronously, on the publishing thread, for every published <typeparamref name="T"/>; keep it short.</summary>
    /// <typeparam name="T">The event type.</typeparam>
    /// <param name="handler">The callback.</param>
    /// <returns>Disposing it ends the subscription.</returns>
    public IDisposable Subscribe<T>(Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var subscription = new Subscription(typeof(T), null, e => handler((T)e));
        lock (_lock)
        {
            _subscriptions = [.. _subscriptions, subscription];
        }

        return new Unsubscriber(this, subscription);
    }

    /// <summary>Ends the subscription of <paramref name="subscriber"/> to <paramref name="channel"/>.</summary>
    /// <param name="subscriber">The actor.</param>
    /// <param name="channel">The event type.</param>
    /// <returns>Whether it was subscribed.</returns>
    public bool Unsubscribe(IActorRef subscriber, Type channel) =>
        Remove(s => ReferenceEquals(s.Actor, subscriber) && s.Channel == channel);

    /// <summary>Ends every subscription of <paramref name="subscriber"/>.</summary>
    /// <param name="subscriber">The actor.</param>
    /// <returns>Whether it had any.</returns>
    public bool Unsubscribe(IActorRef subscriber) => Remove(s => ReferenceEquals(s.Actor, subscriber));

    /// <summary>Delivers <paramref name="event"/> to every matching subscriber.</summary>
    /// <param name="event">The event.</param>
    public void Publish(object @event)
    {
        ArgumentNullException.ThrowIfNull(@event);
        var type = @event.GetType();
        foreach (var s in Volatile.Read(ref _subscriptions))
        {
            if (s.Channel.IsAssignableFrom(type))
            {
                if (s.Actor is not null)
                {
                    s.Actor.Tell(@event, null);
                }
                else
                {
                    s.Callback!(@event);
                }
            }
        }
    }

    private bool Remove(Func<Subscription, bool> match)
    {
        lock (_lock)
        {
            var kept = _subscriptions.Where(s => !match(s)).ToArray();
            var removed = kept.Length != _subscriptions.Length;
            _subscriptions = kept;
            return removed;
        }
    }

    private sealed record Subscription(Type Channel, IActorRef? Actor, Action<object>? Callback);

    private sealed class Unsubscriber(EventStream stream, Subscription subscription) : IDisposable
    {
        public void Dispose() => stream.Remove(s => ReferenceEquals(s, subscription));
    }
}
