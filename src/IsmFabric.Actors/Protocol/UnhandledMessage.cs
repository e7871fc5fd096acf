namespace IsmFabric.Actors;

/// <summary>Published on the <see cref="EventStream"/> for each message an actor received but did not handle.</summary>
/// <param name="Message">The message.</param>
/// <param name="Sender">Who sent it, or null.</param>
/// <param name="Recipient">The actor that did not handle it.</param>
public sealed record UnhandledMessage(object Message, IActorRef? Sender, IActorRef Recipient);
