namespace IsmFabric.Actors;

/// <summary>Tell with the implicit sender, and Forward.</summary>
public static class ActorRefExtensions
{
    /// <summary>Tells <paramref name="message"/> with the running actor as sender (no sender outside actors).</summary>
    /// <param name="receiver">The recipient.</param>
    /// <param name="message">The message.</param>
    public static void Tell(this IActorRef receiver, object message)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        receiver.Tell(message, ActorRefs.CurrentSelfOrNoSender);
    }

    /// <summary>Tells <paramref name="message"/> keeping the original sender of the message being processed.</summary>
    /// <param name="receiver">The recipient.</param>
    /// <param name="message">The message.</param>
    public static void Forward(this IActorRef receiver, object message)
    {
        ArgumentNullException.ThrowIfNull(receiver);
        receiver.Tell(message, ActorCell.Current?.CurrentEnvelope.Sender);
    }
}
