namespace IsmFabric.Actors;

/// <summary>A supervisor strategy whose decision applies to all children of the supervisor (for children that only work together).</summary>
public sealed class AllForOneStrategy : SupervisorStrategy
{
    /// <summary>Creates the strategy with a restart limit.</summary>
    /// <param name="maxNrOfRetries">Restarts allowed within the window; negative means unlimited.</param>
    /// <param name="withinTimeRange">The window.</param>
    /// <param name="decider">Exception → directive.</param>
    public AllForOneStrategy(int maxNrOfRetries, TimeSpan withinTimeRange, Func<Exception, Directive> decider)
        : base(maxNrOfRetries, withinTimeRange, decider)
    {
    }

    /// <summary>Creates the strategy with unlimited restarts.</summary>
    /// <param name="decider">Exception → directive.</param>
    public AllForOneStrategy(Func<Exception, Directive> decider)
        : base(-1, Timeout.InfiniteTimeSpan, decider)
    {
    }

    internal override void ProcessFailure(ActorCell parent, bool restart, ActorCell child, Exception cause)
    {
        var children = parent.ChildCells();
        var now = parent.System.Scheduler.MonotonicClock;
        if (restart && children.All(c => RequestRestartPermission(c, now)))
        {
            foreach (var c in children)
            {
                if (!ReferenceEquals(c, child))
                {
                    // Siblings did not fail, so they are running: suspend them first, as the failed one already is.
                    c.SendSystemMessage(SystemMessage.Suspend.Instance);
                }

                c.SendSystemMessage(new SystemMessage.Recreate(cause));
            }
        }
        else
        {
            foreach (var c in children)
            {
                parent.StopChild(c);
            }
        }
    }
}
