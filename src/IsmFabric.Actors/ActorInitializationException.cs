namespace IsmFabric.Actors;

/// <summary>An actor's constructor, <c>PreStart</c> or <c>PostRestart</c> threw; the default strategy stops the actor.</summary>
public sealed class ActorInitializationException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The description.</param>
    /// <param name="innerException">What the actor threw, if anything.</param>
    public ActorInitializationException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
