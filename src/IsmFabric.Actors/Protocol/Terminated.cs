namespace IsmFabric.Actors;

/// <summary>
/// Sent to every actor that watches <paramref name="ActorRef"/> (see <see cref="IActorContext.Watch"/>) once that
/// actor has stopped, including when it was already dead when the watch began. An actor that does not handle it
/// fails with a <see cref="DeathPactException"/>.
/// </summary>
/// <param name="ActorRef">The actor that stopped.</param>
public sealed record Terminated(IActorRef ActorRef);
