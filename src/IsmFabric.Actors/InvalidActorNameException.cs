namespace IsmFabric.Actors;

/// <summary>The name given to ActorOf is malformed or already taken by a living sibling.</summary>
public sealed class InvalidActorNameException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The description.</param>
    public InvalidActorNameException(string message)
        : base(message)
    {
    }
}
