namespace IsmFabric.Actors;

/// <summary>
/// Supervises one child and re-creates it after exponentially growing, jittered delays (see <see cref="BackoffOptions"/>),
/// so a child whose dependency is down (a device, a database) does not restart in a tight loop. Every other message
/// is forwarded to the current child (or becomes a dead letter while it is backing off).
/// </summary>
public sealed class BackoffSupervisor : ActorBase
{
    private const string StartChildKey = "start-child";
    private const string ResetKey = "reset-backoff";
    private readonly BackoffOptions _options;
    private readonly Random _random;
    private readonly SupervisorStrategy _strategy;
    private IActorRef? _child;
    private int _restartCount;
    private bool _childFailed;

    private BackoffSupervisor(BackoffOptions options)
    {
        _options = options;
        _random = options.Random ?? System.Random.Shared;
        _strategy = new OneForOneStrategy(Decide);
    }

    /// <summary>Props of a backoff supervisor with <paramref name="options"/> (validated here).</summary>
    /// <param name="options">The options.</param>
    /// <returns>The props.</returns>
    public static Props Props(BackoffOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        return Actors.Props.Create(() => new BackoffSupervisor(options));
    }

    /// <summary>The delay before re-creation number <paramref name="restartCount"/> (0-based), as Akka computes it.</summary>
    /// <param name="restartCount">How many re-creations came before.</param>
    /// <param name="minBackoff">The first delay.</param>
    /// <param name="maxBackoff">The cap of the exponential part.</param>
    /// <param name="randomFactor">The jitter fraction.</param>
    /// <param name="random">A uniform value in [0, 1).</param>
    /// <returns>min(max, min × 2ⁿ) × (1 + random × randomFactor).</returns>
    public static TimeSpan CalculateDelay(int restartCount, TimeSpan minBackoff, TimeSpan maxBackoff, double randomFactor, double random)
    {
        var jitter = 1.0 + (random * randomFactor);
        if (restartCount >= 30)
        {
            return maxBackoff * jitter;
        }

        var exponential = minBackoff.Ticks * Math.Pow(2, restartCount);
        var capped = Math.Min(maxBackoff.Ticks, exponential);
        return TimeSpan.FromTicks((long)(capped * jitter));
    }

    /// <inheritdoc />
    protected override void PreStart() => StartChild();

    /// <inheritdoc />
    protected internal override SupervisorStrategy SupervisorStrategy() => _strategy;

    /// <inheritdoc />
    protected internal override bool Receive(object message)
    {
        switch (message)
        {
            case Terminated t when ReferenceEquals(t.ActorRef, _child):
                OnChildTerminated();
                return true;
            case StartChildTick:
                if (_child is null)
                {
                    StartChild();
                }

                return true;
            case ResetTick reset:
                if (reset.RestartCount == _restartCount)
                {
                    _restartCount = 0;
                }

                return true;
            case GetCurrentChild:
                Sender.Tell(new CurrentChild(_child), Self);
                return true;
            case GetRestartCount:
                Sender.Tell(new RestartCount(_restartCount), Self);
                return true;
            case ResetBackoff:
                _restartCount = 0;
                return true;
            case Terminated:
                return true;
            default:
                if (_child is not null)
                {
                    _child.Tell(message, Context.Sender);
                }
                else
                {
                    Context.System.DeadLetters.Tell(new DeadLetter(message, Context.Sender, Self), Self);
                }

                return true;
        }
    }

    private Directive Decide(Exception ex)
    {
        var directive = _options.Decider(ex);
        if (directive == Directive.Restart)
        {
            // Restart later, from scratch, after the backoff: stop the failed incarnation now.
            _childFailed = true;
            return Directive.Stop;
        }

        return directive;
    }

    private void OnChildTerminated()
    {
        _child = null;
        Timers.Cancel(ResetKey);
        var restart = _options.Mode == BackoffMode.OnStop || _childFailed;
        _childFailed = false;
        if (!restart || (_options.MaxNrOfRetries >= 0 && _restartCount >= _options.MaxNrOfRetries))
        {
            Context.Stop(Self);
            return;
        }

        var delay = CalculateDelay(_restartCount, _options.MinBackoff, _options.MaxBackoff, _options.RandomFactor, _random.NextDouble());
        _restartCount++;
        Timers.StartSingleTimer(StartChildKey, StartChildTick.Instance, delay);
    }

    private void StartChild()
    {
        _child = Context.Watch(Context.ActorOf(_options.ChildProps, _options.ChildName));
        Timers.StartSingleTimer(ResetKey, new ResetTick(_restartCount), _options.ResetBackoffAfter ?? _options.MinBackoff);
    }

    private sealed record StartChildTick
    {
        public static StartChildTick Instance { get; } = new();
    }

    private sealed record ResetTick(int RestartCount);
}
