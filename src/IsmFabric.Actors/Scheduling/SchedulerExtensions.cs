namespace IsmFabric.Actors;

/// <summary>Akka-style helpers that schedule a Tell.</summary>
public static class SchedulerExtensions
{
    /// <summary>Tells <paramref name="message"/> to <paramref name="receiver"/> once after <paramref name="delay"/>.</summary>
    /// <param name="scheduler">The scheduler.</param>
    /// <param name="delay">The delay.</param>
    /// <param name="receiver">Who gets the message.</param>
    /// <param name="message">The message.</param>
    /// <param name="sender">The sender the receiver sees, or null.</param>
    /// <returns>A handle that cancels the send.</returns>
    public static ICancelable ScheduleTellOnce(this IScheduler scheduler, TimeSpan delay, IActorRef receiver, object message, IActorRef? sender) =>
        scheduler.ScheduleOnce(delay, () => receiver.Tell(message, sender));

    /// <summary>Tells <paramref name="message"/> to <paramref name="receiver"/> after <paramref name="initialDelay"/> and then every <paramref name="interval"/>.</summary>
    /// <param name="scheduler">The scheduler.</param>
    /// <param name="initialDelay">Delay before the first send.</param>
    /// <param name="interval">Delay between sends.</param>
    /// <param name="receiver">Who gets the message.</param>
    /// <param name="message">The message.</param>
    /// <param name="sender">The sender the receiver sees, or null.</param>
    /// <returns>A handle that cancels further sends.</returns>
    public static ICancelable ScheduleTellRepeatedly(this IScheduler scheduler, TimeSpan initialDelay, TimeSpan interval, IActorRef receiver, object message, IActorRef? sender) =>
        scheduler.ScheduleRepeatedly(initialDelay, interval, () => receiver.Tell(message, sender));
}
