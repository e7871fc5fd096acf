namespace IsmFabric.Actors.TestKit;

/// <summary>A message a <see cref="TestProbe"/> received, with its sender.</summary>
/// <param name="Message">The message.</param>
/// <param name="Sender">Its sender (dead letters when there was none).</param>
public sealed record ReceivedMessage(object Message, IActorRef Sender);
