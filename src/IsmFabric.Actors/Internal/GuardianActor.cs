namespace IsmFabric.Actors;

/// <summary>The actor behind the root, <c>/user</c> and <c>/system</c>: it only supervises its children.</summary>
internal sealed class GuardianActor : ActorBase
{
    private readonly SupervisorStrategy _strategy;

    public GuardianActor(SupervisorStrategy strategy) => _strategy = strategy;

    protected internal override bool Receive(object message) => false;

    protected internal override SupervisorStrategy SupervisorStrategy() => _strategy;
}
