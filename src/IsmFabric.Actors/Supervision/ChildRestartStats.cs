namespace IsmFabric.Actors;

/// <summary>Counts a child's restarts within the strategy's window (Akka's algorithm: the window starts at the first restart).</summary>
internal sealed class ChildRestartStats
{
    private int _count;
    private TimeSpan? _windowStart;

    public bool RequestRestartPermission(int maxNrOfRetries, TimeSpan window, TimeSpan now)
    {
        if (maxNrOfRetries == 0)
        {
            return false;
        }

        if (window == Timeout.InfiniteTimeSpan)
        {
            if (maxNrOfRetries < 0)
            {
                return true;
            }

            _count++;
            return _count <= maxNrOfRetries;
        }

        var retries = maxNrOfRetries < 0 ? 1 : maxNrOfRetries;
        var start = _windowStart ??= now;
        if (now - start <= window)
        {
            _count++;
            return _count <= retries;
        }

        _count = 1;
        _windowStart = now;
        return true;
    }
}
