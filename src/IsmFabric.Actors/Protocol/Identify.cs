namespace IsmFabric.Actors;

/// <summary>Every actor answers it with an <see cref="ActorIdentity"/> carrying the same correlation id; a dead one does not answer.</summary>
/// <param name="MessageId">Correlates the answer.</param>
public sealed record Identify(object? MessageId);
