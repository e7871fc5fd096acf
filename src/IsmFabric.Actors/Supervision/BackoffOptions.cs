namespace IsmFabric.Actors;

/// <summary>
/// Settings of a <see cref="BackoffSupervisor"/>. The n-th re-creation (n from 0) waits
/// min(<see cref="MaxBackoff"/>, <see cref="MinBackoff"/> × 2ⁿ) × (1 + r × <see cref="RandomFactor"/>), r uniform in [0, 1).
/// </summary>
public sealed record BackoffOptions
{
    /// <summary>How to create the child.</summary>
    public required Props ChildProps { get; init; }

    /// <summary>The child's name (reused by every incarnation).</summary>
    public required string ChildName { get; init; }

    /// <summary>The first delay. Must be positive.</summary>
    public required TimeSpan MinBackoff { get; init; }

    /// <summary>The cap of the exponential part. At least <see cref="MinBackoff"/>.</summary>
    public required TimeSpan MaxBackoff { get; init; }

    /// <summary>Jitter: each delay is stretched by up to this fraction (0.2 = up to 20 % longer). Default 0.2; 0 to 1.</summary>
    public double RandomFactor { get; init; } = 0.2;

    /// <summary>When the child is re-created. Default <see cref="BackoffMode.OnFailure"/>.</summary>
    public BackoffMode Mode { get; init; } = BackoffMode.OnFailure;

    /// <summary>Re-creations allowed before the supervisor gives up and stops; negative means unlimited (default).</summary>
    public int MaxNrOfRetries { get; init; } = -1;

    /// <summary>A child that keeps running this long resets the delay curve to its start. Default: <see cref="MinBackoff"/>.</summary>
    public TimeSpan? ResetBackoffAfter { get; init; }

    /// <summary>Maps the child's failures to directives; Restart means "re-create after the backoff". Default: <see cref="SupervisorStrategy.DefaultDecider"/> but Restart for initialization failures too.</summary>
    public Func<Exception, Directive> Decider { get; init; } = static ex => ex is ActorKilledException or DeathPactException ? Directive.Stop : Directive.Restart;

    /// <summary>The source of jitter; default a shared random. Inject a seeded one for reproducible delays.</summary>
    public Random? Random { get; init; }

    /// <summary>Options for <see cref="BackoffMode.OnFailure"/>.</summary>
    /// <param name="childProps">How to create the child.</param>
    /// <param name="childName">The child's name.</param>
    /// <param name="minBackoff">The first delay.</param>
    /// <param name="maxBackoff">The cap.</param>
    /// <param name="randomFactor">The jitter fraction.</param>
    /// <returns>The options.</returns>
    public static BackoffOptions OnFailure(Props childProps, string childName, TimeSpan minBackoff, TimeSpan maxBackoff, double randomFactor) =>
        new() { ChildProps = childProps, ChildName = childName, MinBackoff = minBackoff, MaxBackoff = maxBackoff, RandomFactor = randomFactor, Mode = BackoffMode.OnFailure };

    /// <summary>Options for <see cref="BackoffMode.OnStop"/>.</summary>
    /// <param name="childProps">How to create the child.</param>
    /// <param name="childName">The child's name.</param>
    /// <param name="minBackoff">The first delay.</param>
    /// <param name="maxBackoff">The cap.</param>
    /// <param name="randomFactor">The jitter fraction.</param>
    /// <returns>The options.</returns>
    public static BackoffOptions OnStop(Props childProps, string childName, TimeSpan minBackoff, TimeSpan maxBackoff, double randomFactor) =>
        new() { ChildProps = childProps, ChildName = childName, MinBackoff = minBackoff, MaxBackoff = maxBackoff, RandomFactor = randomFactor, Mode = BackoffMode.OnStop };

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(ChildProps, nameof(ChildProps));
        ArgumentException.ThrowIfNullOrEmpty(ChildName, nameof(ChildName));
        if (MinBackoff <= TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(MinBackoff)} must be positive (was {MinBackoff})", nameof(MinBackoff));
        }

        if (MaxBackoff < MinBackoff)
        {
            throw new ArgumentException($"{nameof(MaxBackoff)} must be at least {nameof(MinBackoff)} (was {MaxBackoff})", nameof(MaxBackoff));
        }

        if (RandomFactor is < 0 or > 1 || double.IsNaN(RandomFactor))
        {
            throw new ArgumentException($"{nameof(RandomFactor)} must be between 0 and 1 (was {RandomFactor})", nameof(RandomFactor));
        }
    }
}
