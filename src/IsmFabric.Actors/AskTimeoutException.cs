namespace IsmFabric.Actors;

/// <summary>Thrown by Ask when no reply arrived within the timeout.</summary>
public sealed class AskTimeoutException : TimeoutException
{
    /// <summary>Creates the exception with a message naming the target and the timeout.</summary>
    /// <param name="message">The description.</param>
    public AskTimeoutException(string message)
        : base(message)
    {
    }
}
