namespace IsmFabric.Actors;

/// <summary>
/// An actor whose behavior is a list of typed handlers registered in its constructor with <see cref="Receive{T}(Action{T}, Predicate{T})"/>;
/// the first handler whose type (and predicate) matches handles the message.
/// </summary>
public abstract class ReceiveActor : ActorBase
{
    private readonly HandlerSet _initial = new();
    private HandlerSet? _configuring;

    /// <summary>Starts the initial handler set; handlers are registered by the derived constructor.</summary>
    protected ReceiveActor() => _configuring = _initial;

    /// <summary>Handles messages of type <typeparamref name="T"/> (that match <paramref name="shouldHandle"/>, when given).</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="handler">The handler.</param>
    /// <param name="shouldHandle">An optional filter.</param>
    protected void Receive<T>(Action<T> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Configuring().Add(shouldHandle is null
            ? m =>
            {
                if (m is T t)
                {
                    handler(t);
                    return true;
                }

                return false;
            }
        : m =>
            {
                if (m is T t && shouldHandle(t))
                {
                    handler(t);
                    return true;
                }

                return false;
            });
    }

    /// <summary>Handles messages of type <typeparamref name="T"/> when <paramref name="handler"/> returns true.</summary>
    /// <typeparam name="T">The message type.</typeparam>
    /// <param name="handler">Returns whether it handled the message.</param>
    protected void Receive<T>(Func<T, bool> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Configuring().Add(m => m is T t && handler(t));
    }

    /// <summary>Handles any message not handled by an earlier handler.</summary>
    /// <param name="handler">The handler.</param>
    protected void ReceiveAny(Action<object> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Configuring().Add(m =>
        {
            handler(m);
            return true;
        });
    }

    /// <summary>Replaces the handlers with those that <paramref name="configure"/> registers.</summary>
    /// <param name="configure">Calls Receive to register the new handlers.</param>
    protected void Become(Action configure) => Context.Become(Build(configure));

    /// <summary>Pushes the handlers that <paramref name="configure"/> registers; <see cref="UnbecomeStacked"/> returns to the previous ones.</summary>
    /// <param name="configure">Calls Receive to register the new handlers.</param>
    protected void BecomeStacked(Action configure) => Context.BecomeStacked(Build(configure));

    /// <summary>Returns to the handlers in use before the last <see cref="BecomeStacked"/>.</summary>
    protected void UnbecomeStacked() => Context.UnbecomeStacked();

    /// <summary>Same as <see cref="UnbecomeStacked"/> (Akka's older name).</summary>
    protected void Unbecome() => Context.UnbecomeStacked();

    /// <inheritdoc />
    protected internal sealed override bool Receive(object message) => _initial.Invoke(message);

    /// <inheritdoc />
    protected internal override void AroundPreStart()
    {
        // The constructor has finished registering handlers.
        _configuring = null;
        base.AroundPreStart();
    }

    /// <inheritdoc />
    protected internal override void AroundPostRestart(Exception reason)
    {
        _configuring = null;
        base.AroundPostRestart(reason);
    }

    private Receive Build(Action configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var set = new HandlerSet();
        var previous = _configuring;
        _configuring = set;
        try
        {
            configure();
        }
        finally
        {
            _configuring = previous;
        }

        return set.Invoke;
    }

    private HandlerSet Configuring() =>
        _configuring ?? throw new InvalidOperationException("Receive<T> may only be called in the constructor or inside Become(...)");

    private sealed class HandlerSet
    {
        private readonly List<Func<object, bool>> _handlers = [];
        private Func<object, bool>[] _frozen = [];

        public void Add(Func<object, bool> handler)
        {
            _handlers.Add(handler);
            _frozen = [.. _handlers];
        }

        public bool Invoke(object message)
        {
            foreach (var h in _frozen)
            {
                if (h(message))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
