namespace IsmFabric.Actors;

/// <summary>The production scheduler: real time from a <see cref="TimeProvider"/> (the system clock by default).</summary>
public sealed class SystemScheduler : IScheduler
{
    private readonly TimeProvider _time;
    private readonly long _origin;

    /// <summary>Creates a scheduler on <paramref name="timeProvider"/>, or on <see cref="TimeProvider.System"/> when null.</summary>
    /// <param name="timeProvider">The time source.</param>
    public SystemScheduler(TimeProvider? timeProvider = null)
    {
        _time = timeProvider ?? TimeProvider.System;
        _origin = _time.GetTimestamp();
    }

    /// <inheritdoc />
    public DateTimeOffset Now => _time.GetUtcNow();

    /// <inheritdoc />
    public TimeSpan MonotonicClock => _time.GetElapsedTime(_origin);

    /// <inheritdoc />
    public ICancelable ScheduleOnce(TimeSpan delay, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        var handle = new TimerHandle(action, repeat: false);
        handle.Start(_time, delay < TimeSpan.Zero ? TimeSpan.Zero : delay, Timeout.InfiniteTimeSpan);
        return handle;
    }

    /// <inheritdoc />
    public ICancelable ScheduleRepeatedly(TimeSpan initialDelay, TimeSpan interval, Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        var handle = new TimerHandle(action, repeat: true);
        handle.Start(_time, initialDelay < TimeSpan.Zero ? TimeSpan.Zero : initialDelay, interval);
        return handle;
    }

    private sealed class TimerHandle : ICancelable
    {
        private readonly Action _action;
        private readonly bool _repeat;
        private ITimer? _timer;
        private volatile bool _cancelled;

        public TimerHandle(Action action, bool repeat)
        {
            _action = action;
            _repeat = repeat;
        }

        public bool IsCancellationRequested => _cancelled;

        public void Start(TimeProvider time, TimeSpan due, TimeSpan period)
        {
            var timer = time.CreateTimer(static s => ((TimerHandle)s!).Fire(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timer = timer;
            timer.Change(due, period);
            if (_cancelled)
            {
                timer.Dispose();
            }
        }

        public void Cancel()
        {
            _cancelled = true;
            _timer?.Dispose();
        }

        private void Fire()
        {
            if (_cancelled)
            {
                return;
            }

            if (!_repeat)
            {
                // A one-shot timer is done after this run; release it without marking it cancelled.
                _timer?.Dispose();
            }

            _action();
        }
    }
}
