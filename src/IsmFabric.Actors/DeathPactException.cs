namespace IsmFabric.Actors;

/// <summary>An actor received <see cref="Terminated"/> for an actor it watched and did not handle it; the default strategy stops it.</summary>
public sealed class DeathPactException : Exception
{
    /// <summary>Creates the exception for the dead actor.</summary>
    /// <param name="deadActor">The actor whose termination was not handled.</param>
    public DeathPactException(IActorRef deadActor)
        : base($"Monitored actor {deadActor?.Path} terminated and the watcher did not handle Terminated")
    {
        DeadActor = deadActor!;
    }

    /// <summary>The watched actor that stopped.</summary>
    public IActorRef DeadActor { get; }
}
