namespace IsmFabric.Actors;

/// <summary>Well-known sender values.</summary>
public static class ActorRefs
{
    /// <summary>No sender: replies go to dead letters.</summary>
    public static IActorRef? NoSender => null;

    /// <summary>The implicit sender for one-argument Tell outside any actor (the test kit sets its test actor here).</summary>
    internal static AsyncLocal<IActorRef?> ImplicitSenderOutsideActors { get; } = new();

    /// <summary>The implicit sender of a Tell made on this thread: the running actor, else the ambient one, else none.</summary>
    internal static IActorRef? CurrentSelfOrNoSender => (IActorRef?)ActorCell.Current?.Self ?? ImplicitSenderOutsideActors.Value;
}
