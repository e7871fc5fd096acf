namespace IsmFabric.Actors;

/// <summary>Messages of the runtime itself; they overtake user messages and are processed even while an actor is suspended.</summary>
internal abstract class SystemMessage
{
    /// <summary>Create the actor instance and run PreStart.</summary>
    public sealed class Create : SystemMessage
    {
        public static Create Instance { get; } = new();
    }

    /// <summary>Replace the actor instance after a failure (supervisor said Restart).</summary>
    public sealed class Recreate(Exception cause) : SystemMessage
    {
        public Exception Cause { get; } = cause;
    }

    /// <summary>Stop processing user messages until resumed (a parent failed, or an all-for-one sibling failed).</summary>
    public sealed class Suspend : SystemMessage
    {
        public static Suspend Instance { get; } = new();
    }

    /// <summary>Undo one suspension (supervisor said Resume).</summary>
    public sealed class Resume : SystemMessage
    {
        public static Resume Instance { get; } = new();
    }

    /// <summary>Stop the actor: its children first, then PostStop.</summary>
    public sealed class Terminate : SystemMessage
    {
        public static Terminate Instance { get; } = new();
    }

    /// <summary>Register <see cref="Watcher"/> for a death-watch notification of the receiving actor.</summary>
    public sealed class Watch(IInternalActorRef watcher) : SystemMessage
    {
        public IInternalActorRef Watcher { get; } = watcher;
    }

    /// <summary>Remove a registration made by <see cref="Watch"/>.</summary>
    public sealed class Unwatch(IInternalActorRef watcher) : SystemMessage
    {
        public IInternalActorRef Watcher { get; } = watcher;
    }

    /// <summary>The watched <see cref="Actor"/> has stopped.</summary>
    public sealed class DeathWatchNotification(IActorRef actor) : SystemMessage
    {
        public IActorRef Actor { get; } = actor;
    }

    /// <summary>A child failed and is suspended until its parent decides.</summary>
    public sealed class Failed(ActorCell child, Exception cause) : SystemMessage
    {
        public ActorCell Child { get; } = child;

        public Exception Cause { get; } = cause;
    }

    /// <summary>A child has stopped for good; its name is free again.</summary>
    public sealed class ChildTerminated(ActorCell child) : SystemMessage
    {
        public ActorCell Child { get; } = child;
    }
}
