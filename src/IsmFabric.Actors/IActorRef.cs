namespace IsmFabric.Actors;

/// <summary>
/// A handle to an actor: the only way to talk to it. Messages sent with <see cref="Tell"/> are queued in the
/// actor's mailbox and processed one at a time, in the order each sender sent them.
/// </summary>
public interface IActorRef
{
    /// <summary>The actor's unique path in its system, e.g. <c>ism://node/user/devices/ism0</c>.</summary>
    ActorPath Path { get; }

    /// <summary>Queues <paramref name="message"/> for the actor; never blocks, never throws for a dead actor (the message becomes a dead letter).</summary>
    /// <param name="message">An immutable message.</param>
    /// <param name="sender">Who the reply should go to, or null for no sender.</param>
    void Tell(object message, IActorRef? sender);
}
