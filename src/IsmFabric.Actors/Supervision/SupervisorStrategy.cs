using Microsoft.Extensions.Logging;

namespace IsmFabric.Actors;

/// <summary>
/// How a parent handles a failing child: a decider maps the exception to a <see cref="Directive"/>, and a restart is
/// allowed at most <see cref="MaxNrOfRetries"/> times within <see cref="WithinTimeRange"/> (after that the child is stopped).
/// </summary>
public abstract class SupervisorStrategy
{
    /// <summary>Creates a strategy.</summary>
    /// <param name="maxNrOfRetries">Restarts allowed within the window; negative means unlimited, 0 means never restart.</param>
    /// <param name="withinTimeRange">The window; <see cref="Timeout.InfiniteTimeSpan"/> counts restarts over the child's whole life.</param>
    /// <param name="decider">Exception → directive.</param>
    protected SupervisorStrategy(int maxNrOfRetries, TimeSpan withinTimeRange, Func<Exception, Directive> decider)
    {
        ArgumentNullException.ThrowIfNull(decider);
        MaxNrOfRetries = maxNrOfRetries;
        WithinTimeRange = withinTimeRange;
        Decider = decider;
    }

    /// <summary>Restarts allowed within <see cref="WithinTimeRange"/>; negative means unlimited.</summary>
    public int MaxNrOfRetries { get; }

    /// <summary>The window the restart limit applies to; infinite counts over the child's life.</summary>
    public TimeSpan WithinTimeRange { get; }

    /// <summary>Maps a child's exception to what to do.</summary>
    public Func<Exception, Directive> Decider { get; }

    /// <summary>
    /// Akka's default: <see cref="ActorInitializationException"/>, <see cref="ActorKilledException"/> and
    /// <see cref="DeathPactException"/> stop the child, any other exception restarts it, without limit.
    /// </summary>
    public static SupervisorStrategy DefaultStrategy { get; } = new OneForOneStrategy(DefaultDecider);

    /// <summary>Stops every failing child.</summary>
    public static SupervisorStrategy StoppingStrategy { get; } = new OneForOneStrategy(_ => Directive.Stop);

    /// <summary>The decider of <see cref="DefaultStrategy"/>.</summary>
    /// <param name="exception">The child's failure.</param>
    /// <returns>Stop for initialization, kill and death-pact failures, Restart otherwise.</returns>
    public static Directive DefaultDecider(Exception exception) => exception switch
    {
        ActorInitializationException or ActorKilledException or DeathPactException => Directive.Stop,
        _ => Directive.Restart,
    };

    /// <summary>Applies a Restart or Stop decision: to the failed child only, or to all children.</summary>
    internal abstract void ProcessFailure(ActorCell parent, bool restart, ActorCell child, Exception cause);

    /// <summary>Asks for permission to restart <paramref name="child"/> under this strategy's limit.</summary>
    internal bool RequestRestartPermission(ActorCell child, TimeSpan now) =>
        child.RestartStats.RequestRestartPermission(MaxNrOfRetries, WithinTimeRange, now);

    /// <summary>Logs a failure the way Akka does: Resume as a warning, Restart and Stop as errors.</summary>
    internal static void LogFailure(ILogger log, IActorRef child, Exception cause, Directive directive)
    {
        switch (directive)
        {
            case Directive.Resume:
                log.LogWarning(cause, "Actor {ActorPath} failed; resuming it", child.Path);
                break;
            case Directive.Escalate:
                log.LogDebug(cause, "Actor {ActorPath} failed; escalating", child.Path);
                break;
            default:
                log.LogError(cause, "Actor {ActorPath} failed; directive {Directive}", child.Path, directive);
                break;
        }
    }
}
