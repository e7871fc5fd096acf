using Akka.Actor;
using Akka.Event;
using LogLevel = Microsoft.Extensions.Logging.LogLevel;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric;

/// <summary>
/// Counts dead letters and unhandled messages (published on the event stream) and logs them rate-limited: the
/// first few of each kind, then one summary line per interval with how many were not shown.
/// </summary>
internal sealed class DeadLetterMonitor : ReceiveActor
{
    private const int ShownPerInterval = 5;
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);
    private readonly ILogger _log;
    private DateTime _windowStart = DateTime.UtcNow;
    private int _shown;
    private long _suppressed;
    private long _deadLetters;
    private long _unhandled;

    public DeadLetterMonitor(ILogger log)
    {
        _log = log;
        Receive<DeadLetter>(d => Note("dead letter", d.Message, d.Sender, d.Recipient, LogLevel.Debug));
        Receive<UnhandledMessage>(u => Note("unhandled message", u.Message, u.Sender, u.Recipient, LogLevel.Warning));
        Receive<GetCounts>(_ => Sender.Tell(new Counts(_deadLetters, _unhandled)));
    }

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(DeadLetter));
        Context.System.EventStream.Subscribe(Self, typeof(UnhandledMessage));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void Note(string kind, object message, IActorRef sender, IActorRef recipient, LogLevel level)
    {
        if (level == LogLevel.Warning)
        {
            _unhandled++;
        }
        else
        {
            _deadLetters++;
        }

        var now = DateTime.UtcNow;
        if (now - _windowStart >= Interval)
        {
            if (_suppressed > 0)
            {
                _log.LogInformation("{Suppressed} more dead letters or unhandled messages in the last {Seconds} s were not logged", _suppressed, (int)Interval.TotalSeconds);
            }

            _windowStart = now;
            _shown = 0;
            _suppressed = 0;
        }

        if (++_shown > ShownPerInterval)
        {
            _suppressed++;
            return;
        }

        _log.Log(level, "{Kind}: {Message} from {Sender} to {Recipient}", kind, message.GetType().Name, sender.Path, recipient.Path);
    }

    /// <summary>Asks for the counters.</summary>
    internal sealed record GetCounts;

    /// <summary>Dead letters and unhandled messages seen.</summary>
    internal sealed record Counts(long DeadLetters, long Unhandled);
}
