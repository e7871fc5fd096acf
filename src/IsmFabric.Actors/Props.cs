namespace IsmFabric.Actors;

/// <summary>An immutable recipe for creating an actor: its factory (called again on each restart) and optional supervisor strategy.</summary>
public sealed class Props
{
    private readonly Func<ActorBase> _factory;

    private Props(Type actorType, Func<ActorBase> factory, SupervisorStrategy? strategy)
    {
        ActorType = actorType;
        _factory = factory;
        SupervisorStrategy = strategy;
    }

    /// <summary>The actor's type.</summary>
    public Type ActorType { get; }

    /// <summary>The strategy the actor applies to its children, overriding the actor's own <c>SupervisorStrategy()</c>; null to use that.</summary>
    public SupervisorStrategy? SupervisorStrategy { get; }

    /// <summary>Props for an actor with a parameterless constructor.</summary>
    /// <typeparam name="TActor">The actor type.</typeparam>
    /// <returns>The props.</returns>
    public static Props Create<TActor>()
        where TActor : ActorBase, new() => new(typeof(TActor), static () => new TActor(), null);

    /// <summary>Props for an actor built by <paramref name="factory"/>, which must return a new instance on every call.</summary>
    /// <typeparam name="TActor">The actor type.</typeparam>
    /// <param name="factory">Builds a fresh instance, e.g. <c>() => new DeviceActor(id)</c>.</param>
    /// <returns>The props.</returns>
    public static Props Create<TActor>(Func<TActor> factory)
        where TActor : ActorBase
    {
        ArgumentNullException.ThrowIfNull(factory);
        return new(typeof(TActor), factory, null);
    }

    /// <summary>A copy that supervises the actor's children with <paramref name="strategy"/>.</summary>
    /// <param name="strategy">The strategy.</param>
    /// <returns>The new props.</returns>
    public Props WithSupervisorStrategy(SupervisorStrategy strategy)
    {
        ArgumentNullException.ThrowIfNull(strategy);
        return new(ActorType, _factory, strategy);
    }

    internal ActorBase NewActor()
    {
        try
        {
            return _factory();
        }
        catch (System.Reflection.TargetInvocationException ex) when (ex.InnerException is not null)
        {
            // new TActor() goes through Activator: surface what the constructor threw.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }
}
