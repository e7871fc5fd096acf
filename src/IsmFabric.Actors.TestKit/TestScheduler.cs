namespace IsmFabric.Actors.TestKit;

/// <summary>
/// A virtual clock for actor systems under test: time stands still until <see cref="Advance"/> moves it, and then
/// every timer due by the new time fires, in due-time order, on the calling thread, each seeing the clock at its
/// own due time. Timers, backoff delays, Ask timeouts and restart windows all become deterministic.
/// </summary>
public sealed class TestScheduler : IScheduler
{
    private readonly object _lock = new();
    private readonly PriorityQueue<Entry, (TimeSpan Due, long Seq)> _queue = new();
    private readonly DateTimeOffset _origin;
    private TimeSpan _now;
    private long _seq;

    /// <summary>Creates a virtual clock that starts at <paramref name="start"/> (default 2030-01-01 UTC).</summary>
    /// <param name="start">The wall-clock time at virtual time zero.</param>
    public TestScheduler(DateTimeOffset? start = null) =>
        _origin = start ?? new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <inheritdoc />
    public DateTimeOffset Now
    {
        get
        {
            lock (_lock)
            {
                return _origin + _now;
            }
        }
    }

    /// <inheritdoc />
    public TimeSpan MonotonicClock
    {
        get
        {
            lock (_lock)
            {
                return _now;
            }
        }
    }

    /// <summary>Scheduled actions not yet run or cancelled (periodic ones count once).</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _queue.UnorderedItems.Count(i => !i.Element.IsCancellationRequested);
            }
        }
    }

    /// <summary>
    /// Runs <paramref name="action"/> after <paramref name="delay"/> of virtual time; a delay of zero or less runs it
    /// at once, on the calling thread.
    /// </summary>
    /// <param name="delay">The virtual delay.</param>
    /// <param name="action">The action.</param>
    /// <returns>A handle that cancels it.</returns>
    public ICancelable ScheduleOnce(TimeSpan delay, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var entry = new Entry(action, null);
        if (delay <= TimeSpan.Zero)
        {
            action();
            return entry;
        }

        Enqueue(entry, delay);
        return entry;
    }

    /// <inheritdoc />
    public ICancelable ScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        var entry = new Entry(action, interval);
        Enqueue(entry, initialDelay < TimeSpan.Zero ? TimeSpan.Zero : initialDelay);
        return entry;
    }

    /// <summary>Moves virtual time forward by <paramref name="duration"/>, firing everything due on the way.</summary>
    /// <param name="duration">How far; not negative.</param>
    public void Advance(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        TimeSpan target;
        lock (_lock)
        {
            target = _now + duration;
        }

        AdvanceTo(target);
    }

    /// <summary>Moves virtual time forward to <paramref name="monotonicTime"/> (no-op if it is in the past).</summary>
    /// <param name="monotonicTime">The target on the <see cref="MonotonicClock"/> scale.</param>
    public void AdvanceTo(TimeSpan monotonicTime)
    {
        while (true)
        {
            Entry entry;
            lock (_lock)
            {
                if (!_queue.TryPeek(out entry!, out var key) || key.Due > monotonicTime)
                {
                    if (monotonicTime > _now)
                    {
                        _now = monotonicTime;
                    }

                    return;
                }

                _queue.Dequeue();
                _now = key.Due;
                if (entry.IsCancellationRequested)
                {
                    continue;
                }

                if (entry.Interval is { } interval)
                {
                    _queue.Enqueue(entry, (key.Due + interval, ++_seq));
                }
            }

            entry.Run();
        }
    }

    private void Enqueue(Entry entry, TimeSpan delay)
    {
        lock (_lock)
        {
            _queue.Enqueue(entry, (_now + delay, ++_seq));
        }
    }

    private sealed class Entry(Action action, TimeSpan? interval) : ICancelable
    {
        private volatile bool _cancelled;

        public TimeSpan? Interval { get; } = interval;

        public bool IsCancellationRequested => _cancelled;

        public void Cancel() => _cancelled = true;

        public void Run()
        {
            if (!_cancelled)
            {
                action();
            }
        }
    }
}
