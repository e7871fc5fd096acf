namespace IsmFabric.Actors;

/// <summary>
/// Timers owned by one actor, identified by a key: starting a timer with a key that is in use replaces it, and a
/// message from a cancelled or replaced timer is never delivered, even if it was already queued. All timers are
/// cancelled when the actor stops or restarts.
/// </summary>
public interface ITimerScheduler
{
    /// <summary>Sends <paramref name="message"/> to the actor once, after <paramref name="timeout"/>.</summary>
    /// <param name="key">The timer's identity.</param>
    /// <param name="message">The message.</param>
    /// <param name="timeout">The delay.</param>
    void StartSingleTimer(object key, object message, TimeSpan timeout);

    /// <summary>Sends <paramref name="message"/> to the actor every <paramref name="interval"/>.</summary>
    /// <param name="key">The timer's identity.</param>
    /// <param name="message">The message.</param>
    /// <param name="interval">The period (also the first delay).</param>
    void StartPeriodicTimer(object key, object message, TimeSpan interval);

    /// <summary>Sends <paramref name="message"/> to the actor after <paramref name="initialDelay"/> and then every <paramref name="interval"/>.</summary>
    /// <param name="key">The timer's identity.</param>
    /// <param name="message">The message.</param>
    /// <param name="initialDelay">The first delay.</param>
    /// <param name="interval">The period.</param>
    void StartPeriodicTimer(object key, object message, TimeSpan initialDelay, TimeSpan interval);

    /// <summary>Whether a timer with <paramref name="key"/> is running (a single timer stops being active once its message is received).</summary>
    /// <param name="key">The timer's identity.</param>
    /// <returns>True when active.</returns>
    bool IsTimerActive(object key);

    /// <summary>Cancels the timer with <paramref name="key"/>, if any.</summary>
    /// <param name="key">The timer's identity.</param>
    void Cancel(object key);

    /// <summary>Cancels every timer of the actor.</summary>
    void CancelAll();
}
