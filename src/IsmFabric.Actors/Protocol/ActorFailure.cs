namespace IsmFabric.Actors;

/// <summary>Published on the <see cref="EventStream"/> each time a supervisor handles the failure of a child.</summary>
/// <param name="Actor">The actor that failed.</param>
/// <param name="Cause">The exception it threw.</param>
/// <param name="Directive">What its supervisor decided.</param>
public sealed record ActorFailure(IActorRef Actor, Exception Cause, Directive Directive);
