namespace IsmFabric.Actors;

/// <summary>A message in a mailbox together with the actor that sent it (null when there is no sender).</summary>
internal readonly record struct Envelope(object Message, IActorRef? Sender);
