using Microsoft.Extensions.Logging;

namespace IsmFabric.Actors;

/// <summary>
/// The base of every actor: implement <see cref="Receive"/> (or derive from <see cref="ReceiveActor"/>), and create
/// instances only through <see cref="Props"/> and ActorOf. The runtime calls an actor from one thread at a time.
/// </summary>
public abstract class ActorBase
{
    private readonly ActorCell _cell;

    /// <summary>Binds the instance to the cell that is creating it; fails when not created through ActorOf.</summary>
    protected ActorBase()
    {
        _cell = ActorCell.Constructing
            ?? throw new ActorInitializationException($"{GetType().Name} must be created through ActorOf(Props), not with new");
        ActorCell.Constructing = null;
    }

    /// <summary>This actor's context: self, sender, children, watch, become.</summary>
    protected IActorContext Context => _cell;

    /// <summary>This actor's own reference.</summary>
    protected IActorRef Self => _cell.Self;

    /// <summary>The sender of the message being processed (dead letters when there is none). Capture it before starting async work.</summary>
    protected IActorRef Sender => _cell.Sender;

    /// <summary>This actor's timers (cancelled on stop and restart).</summary>
    protected ITimerScheduler Timers => _cell.Timers;

    /// <summary>This actor's stash.</summary>
    protected IStash Stash => _cell.Stash;

    /// <summary>A logger whose category is this actor's type.</summary>
    protected ILogger Log => _cell.Log;

    internal ActorCell Cell => _cell;

    /// <summary>Handles one message; return false for a message this actor does not understand.</summary>
    /// <param name="message">The message.</param>
    /// <returns>Whether it was handled.</returns>
    protected internal abstract bool Receive(object message);

    /// <summary>Called once the actor is created, before its first message.</summary>
    protected virtual void PreStart()
    {
    }

    /// <summary>Called after the actor and all its children have stopped.</summary>
    protected virtual void PostStop()
    {
    }

    /// <summary>Called on the failed instance before it is replaced; by default stops all children and calls <see cref="PostStop"/>.</summary>
    /// <param name="reason">The failure.</param>
    /// <param name="message">The message that failed, if the failure came from a message.</param>
    protected virtual void PreRestart(Exception reason, object? message)
    {
        foreach (var child in Context.Children)
        {
            Context.Stop(child);
        }

        PostStop();
    }

    /// <summary>Called on the fresh instance after a restart; by default calls <see cref="PreStart"/>.</summary>
    /// <param name="reason">The failure that caused the restart.</param>
    protected virtual void PostRestart(Exception reason) => PreStart();

    /// <summary>
    /// Called for a message no behavior handled: an unhandled <see cref="Terminated"/> fails the actor with a
    /// <see cref="DeathPactException"/>; anything else is counted, logged and published as <see cref="UnhandledMessage"/>.
    /// </summary>
    /// <param name="message">The message.</param>
    protected virtual void Unhandled(object message)
    {
        if (message is Terminated terminated)
        {
            throw new DeathPactException(terminated.ActorRef);
        }

        _cell.System.Unhandled(message, _cell.CurrentEnvelope.Sender, Self);
    }

    /// <summary>How this actor supervises its children (used when its <see cref="Props"/> names no strategy).</summary>
    /// <returns>The strategy; by default <see cref="Actors.SupervisorStrategy.DefaultStrategy"/>.</returns>
    protected internal virtual SupervisorStrategy SupervisorStrategy() => Actors.SupervisorStrategy.DefaultStrategy;

    /// <summary>Runs a behavior on a message and routes what it does not handle to <see cref="Unhandled"/>; a hook for runtime extensions.</summary>
    /// <param name="receive">The current behavior.</param>
    /// <param name="message">The message.</param>
    protected internal virtual void AroundReceive(Receive receive, object message)
    {
        if (!receive(message))
        {
            Unhandled(message);
        }
    }

    /// <summary>Wraps <see cref="PreStart"/>; a hook for runtime extensions.</summary>
    protected internal virtual void AroundPreStart() => PreStart();

    /// <summary>Wraps <see cref="PostStop"/>; a hook for runtime extensions.</summary>
    protected internal virtual void AroundPostStop() => PostStop();

    /// <summary>Wraps <see cref="PreRestart"/>; a hook for runtime extensions.</summary>
    /// <param name="reason">The failure.</param>
    /// <param name="message">The failing message, if any.</param>
    protected internal virtual void AroundPreRestart(Exception reason, object? message) => PreRestart(reason, message);

    /// <summary>Wraps <see cref="PostRestart"/>; a hook for runtime extensions.</summary>
    /// <param name="reason">The failure.</param>
    protected internal virtual void AroundPostRestart(Exception reason) => PostRestart(reason);
}
