namespace IsmFabric.Actors;

/// <summary>The answer to <see cref="GetCurrentChild"/>.</summary>
/// <param name="Ref">The running child, or null while it is backing off.</param>
public sealed record CurrentChild(IActorRef? Ref);
