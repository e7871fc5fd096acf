namespace IsmFabric.Actors;

/// <summary>A supervisor strategy whose decision applies to the failed child only.</summary>
public sealed class OneForOneStrategy : SupervisorStrategy
{
    /// <summary>Creates the strategy with a restart limit.</summary>
    /// <param name="maxNrOfRetries">Restarts allowed within the window; negative means unlimited.</param>
    /// <param name="withinTimeRange">The window.</param>
    /// <param name="decider">Exception → directive.</param>
    public OneForOneStrategy(int maxNrOfRetries, TimeSpan withinTimeRange, Func<Exception, Directive> decider)
        : base(maxNrOfRetries, withinTimeRange, decider)
    {
    }

    /// <summary>Creates the strategy with unlimited restarts.</summary>
    /// <param name="decider">Exception → directive.</param>
    public OneForOneStrategy(Func<Exception, Directive> decider)
        : base(-1, Timeout.InfiniteTimeSpan, decider)
    {
    }

    internal override void ProcessFailure(ActorCell parent, bool restart, ActorCell child, Exception cause)
    {
        if (restart && RequestRestartPermission(child, parent.System.Scheduler.MonotonicClock))
        {
            child.SendSystemMessage(new SystemMessage.Recreate(cause));
        }
        else
        {
            parent.StopChild(child);
        }
    }
}
