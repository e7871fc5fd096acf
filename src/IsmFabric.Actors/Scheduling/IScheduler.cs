namespace IsmFabric.Actors;

/// <summary>
/// The clock and timer source of an actor system. Timers, backoff, Ask timeouts and retry windows all read time
/// here, so a test can substitute a virtual clock and advance it (see the test kit's <c>TestScheduler</c>).
/// </summary>
public interface IScheduler
{
    /// <summary>Wall-clock time.</summary>
    DateTimeOffset Now { get; }

    /// <summary>Monotonic time since an arbitrary origin; use it for durations.</summary>
    TimeSpan MonotonicClock { get; }

    /// <summary>Runs <paramref name="action"/> once after <paramref name="delay"/> (on an unspecified thread; keep it short, e.g. a Tell).</summary>
    /// <param name="delay">How long to wait; zero or negative runs it as soon as possible.</param>
    /// <param name="action">What to run.</param>
    /// <returns>A handle that cancels the run.</returns>
    ICancelable ScheduleOnce(TimeSpan delay, Action action);

    /// <summary>Runs <paramref name="action"/> after <paramref name="initialDelay"/> and then every <paramref name="interval"/>.</summary>
    /// <param name="initialDelay">Delay before the first run.</param>
    /// <param name="interval">Delay between runs; must be positive.</param>
    /// <param name="action">What to run.</param>
    /// <returns>A handle that cancels all further runs.</returns>
    ICancelable ScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action);
}
