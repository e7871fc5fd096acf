using Microsoft.Extensions.Logging;

namespace IsmFabric.Actors;

/// <summary>The parent of the root guardian: stops the root if it fails and records when it has stopped.</summary>
internal sealed class RootParentRef : IInternalActorRef
{
    private readonly ActorSystem _system;
    private readonly ILogger _log;

    public RootParentRef(ActorSystem system, ActorPath path, ILogger log)
    {
        _system = system;
        _log = log;
        Path = path;
    }

    public ActorPath Path { get; }

    public void Tell(object message, IActorRef? sender) => _system.PublishDeadLetter(new Envelope(message, sender), this);

    public void SendSystemMessage(SystemMessage message)
    {
        if (message is SystemMessage.Failed failed)
        {
            _log.LogError(failed.Cause, "The root guardian of {ActorSystem} failed; stopping the system", _system.Name);
            failed.Child.SendSystemMessage(SystemMessage.Terminate.Instance);
        }
    }

    public override string ToString() => $"RootParent[{Path}]";
}
