namespace IsmFabric.Actors;

/// <summary>The failure an actor raises when it processes <see cref="Kill"/>; the default strategy stops the actor.</summary>
public sealed class ActorKilledException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The description.</param>
    public ActorKilledException(string message)
        : base(message)
    {
    }
}
