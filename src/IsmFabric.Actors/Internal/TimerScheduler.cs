namespace IsmFabric.Actors;

/// <summary>The timers of one actor cell; used only on the thread running the actor.</summary>
internal sealed class TimerScheduler : ITimerScheduler
{
    private readonly ActorCell _cell;
    private readonly Dictionary<object, Timer> _timers = [];
    private long _generation;

    public TimerScheduler(ActorCell cell) => _cell = cell;

    public void StartSingleTimer(object key, object message, TimeSpan timeout) => Start(key, message, timeout, null);

    public void StartPeriodicTimer(object key, object message, TimeSpan interval) => Start(key, message, interval, interval);

    public void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval) => Start(key, message, initialDelay, interval);

    public bool IsTimerActive(object key) => _timers.ContainsKey(key);

    public void Cancel(object key)
    {
        if (_timers.Remove(key, out var timer))
        {
            timer.Task.Cancel();
        }
    }

    public void CancelAll()
    {
        foreach (var timer in _timers.Values)
        {
            timer.Task.Cancel();
        }

        _timers.Clear();
    }

    /// <summary>Unwraps a timer message if it comes from the live generation of its timer; stale ones are dropped.</summary>
    public bool TryAccept(TimerMessage tick, out object message)
    {
        if (_timers.TryGetValue(tick.Key, out var timer) && timer.Generation == tick.Generation)
        {
            if (!timer.Periodic)
            {
                _timers.Remove(tick.Key);
            }

            message = timer.Message;
            return true;
        }

        message = null!;
        return false;
    }

    private void Start(object key, object message, TimeSpan delay, TimeSpan? interval)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(message);
        Cancel(key);
        var generation = ++_generation;
        var tick = new TimerMessage(key, generation);
        var scheduler = _cell.System.Scheduler;
        var self = _cell.Self;
        var task = interval is { } period
            ? scheduler.ScheduleTellRepeatedly(delay, period, self, tick, self)
            : scheduler.ScheduleTellOnce(delay, self, tick, self);
        _timers[key] = new Timer(generation, task, interval is not null, message);
    }

    private sealed record Timer(long Generation, ICancelable Task, bool Periodic, object Message);

    /// <summary>What a timer actually sends: the key and generation; the user message is looked up on arrival.</summary>
    internal sealed record TimerMessage(object Key, long Generation);
}
