using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IsmFabric.Actors;

/// <summary>Settings of an <see cref="ActorSystem"/>, each with a documented default; validated when the system is created.</summary>
public sealed record ActorSystemSettings
{
    /// <summary>Where the runtime logs (dead letters, unhandled messages, failures). Default: no logging.</summary>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;

    /// <summary>The clock and timers; default: a <see cref="SystemScheduler"/> on the real clock. Tests pass a virtual one.</summary>
    public IScheduler? Scheduler { get; init; }

    /// <summary>User messages an actor processes before it yields its thread to other actors. Default 100; at least 1.</summary>
    public int Throughput { get; init; } = 100;

    /// <summary>How <c>/user</c> supervises top-level actors. Default: <see cref="SupervisorStrategy.DefaultStrategy"/>.</summary>
    public SupervisorStrategy GuardianSupervisorStrategy { get; init; } = SupervisorStrategy.DefaultStrategy;

    /// <summary>The deadline <see cref="ActorSystem.Dispose"/> gives the ordered shutdown. Default 10 s.</summary>
    public TimeSpan ShutdownDeadline { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How many dead letters are logged at Information before the rest go to Debug (all are counted). Default 10.</summary>
    public int LogDeadLetters { get; init; } = 10;

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting and what it accepts.</summary>
    public void Validate()
    {
        if (Throughput < 1)
        {
            throw new ArgumentException($"{nameof(Throughput)} must be at least 1 (was {Throughput})", nameof(Throughput));
        }

        if (ShutdownDeadline <= TimeSpan.Zero && ShutdownDeadline != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"{nameof(ShutdownDeadline)} must be positive or infinite (was {ShutdownDeadline})", nameof(ShutdownDeadline));
        }

        if (LogDeadLetters < 0)
        {
            throw new ArgumentException($"{nameof(LogDeadLetters)} must be 0 or more (was {LogDeadLetters})", nameof(LogDeadLetters));
        }

        ArgumentNullException.ThrowIfNull(LoggerFactory, nameof(LoggerFactory));
        ArgumentNullException.ThrowIfNull(GuardianSupervisorStrategy, nameof(GuardianSupervisorStrategy));
    }
}
