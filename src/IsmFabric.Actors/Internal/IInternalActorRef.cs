namespace IsmFabric.Actors;

/// <summary>An actor reference the runtime can also send system messages to.</summary>
internal interface IInternalActorRef : IActorRef
{
    /// <summary>Delivers a system message; on a dead actor it is answered as a dead actor would (a Watch gets its notification at once).</summary>
    void SendSystemMessage(SystemMessage message);
}
