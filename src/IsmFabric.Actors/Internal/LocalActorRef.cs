namespace IsmFabric.Actors;

/// <summary>The reference to an actor of this process; one instance per actor, so reference equality is identity.</summary>
internal sealed class LocalActorRef : IInternalActorRef
{
    public LocalActorRef(ActorCell cell, ActorPath path)
    {
        Cell = cell;
        Path = path;
    }

    public ActorCell Cell { get; }

    public ActorPath Path { get; }

    public void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        Cell.Mailbox.Post(new Envelope(message, sender));
    }

    public void SendSystemMessage(SystemMessage message) => Cell.Mailbox.PostSystem(message);

    public override string ToString() => $"Actor[{Path}]";
}
