namespace IsmFabric.Actors;

/// <summary>The answer to <see cref="Identify"/>.</summary>
/// <param name="MessageId">The correlation id from the request.</param>
/// <param name="Subject">The actor that answered.</param>
public sealed record ActorIdentity(object? MessageId, IActorRef? Subject);
