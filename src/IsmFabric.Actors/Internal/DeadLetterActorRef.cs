namespace IsmFabric.Actors;

/// <summary>Where undeliverable messages go: counted, logged and published as <see cref="DeadLetter"/>.</summary>
internal sealed class DeadLetterActorRef : IInternalActorRef
{
    private readonly ActorSystem _system;

    public DeadLetterActorRef(ActorSystem system, ActorPath path)
    {
        _system = system;
        Path = path;
    }

    public ActorPath Path { get; }

    public void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message is DeadLetter deadLetter)
        {
            _system.PublishDeadLetter(new Envelope(deadLetter.Message, deadLetter.Sender), deadLetter.Recipient);
        }
        else
        {
            _system.PublishDeadLetter(new Envelope(message, sender), this);
        }
    }

    public void SendSystemMessage(SystemMessage message)
    {
        // Dead letters is never alive: a watcher learns so at once.
        if (message is SystemMessage.Watch watch)
        {
            watch.Watcher.SendSystemMessage(new SystemMessage.DeathWatchNotification(this));
        }
    }

    public override string ToString() => $"DeadLetters[{Path}]";
}
