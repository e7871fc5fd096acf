namespace IsmFabric.Actors;

/// <summary>Published on the <see cref="EventStream"/> for each message that could not be delivered (its recipient was dead).</summary>
/// <param name="Message">The message.</param>
/// <param name="Sender">Who sent it, or null.</param>
/// <param name="Recipient">The actor it was meant for.</param>
public sealed record DeadLetter(object Message, IActorRef? Sender, IActorRef Recipient);
