using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Actors;

/// <summary>
/// A hierarchy of actors with its dispatcher, scheduler, dead letters and event stream. Top-level actors are
/// created with <see cref="ActorOf"/> under <c>/user</c>; <see cref="Terminate(TimeSpan)"/> stops them all in order,
/// children before parents.
/// </summary>
public sealed class ActorSystem : IDisposable, IAsyncDisposable
{
    private readonly ActorCell _root;
    private readonly ActorCell _userGuardian;
    private readonly ActorCell _systemGuardian;
    private readonly ILogger _log;
    private readonly ILogger _deadLetterLog;
    private readonly ILogger _unhandledLog;
    private readonly ActorPath _tempPath;
    private readonly TaskCompletionSource _whenTerminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<Type, object> _extensions = new();
    private readonly object _terminateLock = new();
    private Task<bool>? _terminate;
    private long _deadLetters;
    private long _unhandled;
    private long _tempCounter;

    private ActorSystem(string name, ActorSystemSettings settings)
    {
        Name = name;
        Settings = settings;
        LoggerFactory = settings.LoggerFactory;
        Scheduler = settings.Scheduler ?? new SystemScheduler();
        _log = LoggerFactory.CreateLogger("IsmFabric.Actors.ActorSystem");
        _deadLetterLog = LoggerFactory.CreateLogger("IsmFabric.Actors.DeadLetters");
        _unhandledLog = LoggerFactory.CreateLogger("IsmFabric.Actors.UnhandledMessages");
        var rootPath = ActorPath.Root(name);
        _tempPath = rootPath / "temp";
        DeadLetters = new DeadLetterActorRef(this, rootPath / "deadLetters");
        var rootParent = new RootParentRef(this, rootPath / "bubble", _log);
        _root = new ActorCell(this, rootParent, Props.Create(() => new GuardianActor(SupervisorStrategy.StoppingStrategy)), rootPath);
        _root.Start();
        _userGuardian = ((LocalActorRef)_root.ActorOf(Props.Create(() => new GuardianActor(settings.GuardianSupervisorStrategy)), "user")).Cell;
        _systemGuardian = ((LocalActorRef)_root.ActorOf(Props.Create(() => new GuardianActor(SupervisorStrategy.DefaultStrategy)), "system")).Cell;

        // As in Akka: if /user stops without Terminate (a failure escalated past it), the whole system goes down.
        _userGuardian.WhenTerminated.ContinueWith(
            _ =>
            {
                if (!IsTerminating)
                {
                    _log.LogError("The user guardian of {ActorSystem} stopped unexpectedly; terminating the system", Name);
                    _ = Terminate();
                }
            },
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
    }

    /// <summary>The system's name (the first element of every path).</summary>
    public string Name { get; }

    /// <summary>The validated settings.</summary>
    public ActorSystemSettings Settings { get; }

    /// <summary>The clock and timer source used by timers, Ask timeouts, backoff and restart windows.</summary>
    public IScheduler Scheduler { get; }

    /// <summary>Where the runtime logs.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>The publish/subscribe bus for dead letters, unhandled messages and failures.</summary>
    public EventStream EventStream { get; } = new();

    /// <summary>The reference that swallows (and counts) undeliverable messages.</summary>
    public IActorRef DeadLetters { get; }

    /// <summary>Messages that could not be delivered since the system started.</summary>
    public long DeadLetterCount => Interlocked.Read(ref _deadLetters);

    /// <summary>Messages actors received but did not handle since the system started.</summary>
    public long UnhandledMessageCount => Interlocked.Read(ref _unhandled);

    /// <summary>Completes when the system has terminated (orderly or at the shutdown deadline).</summary>
    public Task WhenTerminated => _whenTerminated.Task;

    /// <summary>Whether termination has begun.</summary>
    public bool IsTerminating => _terminate is not null;

    /// <summary>Creates and starts an actor system.</summary>
    /// <param name="name">The system name: letters, digits, '-' or '_'.</param>
    /// <param name="settings">The settings; null for the defaults.</param>
    /// <returns>The running system.</returns>
    public static ActorSystem Create(string name, ActorSystemSettings? settings = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (!name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException($"Actor system name [{name}] may contain only letters, digits, '-' and '_'", nameof(name));
        }

        settings ??= new ActorSystemSettings();
        settings.Validate();
        return new ActorSystem(name, settings);
    }

    /// <summary>Creates a top-level actor under <c>/user</c>.</summary>
    /// <param name="props">How to create it.</param>
    /// <param name="name">A name unique among living top-level actors; null picks one.</param>
    /// <returns>Its reference.</returns>
    public IActorRef ActorOf(Props props, string? name = null)
    {
        if (IsTerminating)
        {
            throw new InvalidOperationException($"Actor system {Name} is terminating");
        }

        return _userGuardian.ActorOf(props, name);
    }

    /// <summary>Creates an actor under <c>/system</c> (runtime and test-kit actors, stopped after every user actor).</summary>
    internal IActorRef SystemActorOf(Props props, string? name = null) => _systemGuardian.ActorOf(props, name);

    /// <summary>Stops <paramref name="actor"/> after its current message; its children stop first.</summary>
    /// <param name="actor">The actor.</param>
    public void Stop(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor is IInternalActorRef internalRef)
        {
            internalRef.SendSystemMessage(SystemMessage.Terminate.Instance);
        }
    }

    /// <summary>
    /// Stops every actor in order: the <c>/user</c> tree (children before parents), then <c>/system</c>, then the
    /// root. <paramref name="deadline"/> (wall-clock) bounds the wait: actors still running then are abandoned,
    /// listed in a warning, and <see cref="WhenTerminated"/> completes anyway. Calling it again returns the same task.
    /// </summary>
    /// <param name="deadline">How long the ordered shutdown may take.</param>
    /// <returns>True if everything stopped within the deadline.</returns>
    public Task<bool> Terminate(TimeSpan deadline)
    {
        lock (_terminateLock)
        {
            return _terminate ??= TerminateCore(deadline);
        }
    }

    /// <summary>Terminates with <see cref="ActorSystemSettings.ShutdownDeadline"/>.</summary>
    /// <returns>True if everything stopped within the deadline.</returns>
    public Task<bool> Terminate() => Terminate(Settings.ShutdownDeadline);

    /// <summary>Registers an extension (e.g. persistence) that actors find through their system; returns the one already registered for <typeparamref name="T"/>, if any.</summary>
    /// <typeparam name="T">The extension type.</typeparam>
    /// <param name="extension">The extension.</param>
    /// <returns>The registered extension.</returns>
    public T RegisterExtension<T>(T extension)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(extension);
        return (T)_extensions.GetOrAdd(typeof(T), extension);
    }

    /// <summary>The extension registered for <typeparamref name="T"/>, or null.</summary>
    /// <typeparam name="T">The extension type.</typeparam>
    /// <returns>The extension, or null.</returns>
    public T? GetExtension<T>()
        where T : class => _extensions.TryGetValue(typeof(T), out var e) ? (T)e : null;

    /// <summary>Terminates with the configured deadline and waits.</summary>
    public void Dispose() => Terminate().GetAwaiter().GetResult();

    /// <summary>Terminates with the configured deadline.</summary>
    /// <returns>A task that completes when the system has terminated.</returns>
    public async ValueTask DisposeAsync() => await Terminate().ConfigureAwait(false);

    /// <inheritdoc />
    public override string ToString() => $"ActorSystem[{Name}]";

    internal static ActorSystem? Of(IActorRef actor) => actor switch
    {
        LocalActorRef local => local.Cell.System,
        DeadLetterActorRef => null,
        _ => null,
    };

    internal PromiseActorRef CreatePromise() => new(_tempPath / ("$" + Interlocked.Increment(ref _tempCounter)));

    internal void PublishDeadLetter(in Envelope envelope, IActorRef recipient)
    {
        var count = Interlocked.Increment(ref _deadLetters);
        var message = envelope.Message;
        if (message is DeadLetter or UnhandledMessage or ActorFailure)
        {
            // An event for a dead subscriber: drop the subscription instead of publishing a dead letter about it.
            EventStream.Unsubscribe(recipient);
        }
        else
        {
            EventStream.Publish(new DeadLetter(message, envelope.Sender, recipient));
        }

        var level = count <= Settings.LogDeadLetters ? LogLevel.Information : LogLevel.Debug;
        if (_deadLetterLog.IsEnabled(level))
        {
            _deadLetterLog.Log(
                level,
                "Message {MessageType} from {Sender} to {Recipient} was not delivered; {DeadLetterCount} dead letters so far",
                message.GetType().Name,
                envelope.Sender?.Path.ToString() ?? "no sender",
                recipient.Path,
                count);
        }
    }

    internal void Unhandled(object message, IActorRef? sender, IActorRef recipient)
    {
        Interlocked.Increment(ref _unhandled);
        EventStream.Publish(new UnhandledMessage(message, sender, recipient));
        _unhandledLog.LogWarning(
            "Unhandled message {MessageType} from {Sender} to {Recipient}",
            message.GetType().Name,
            sender?.Path.ToString() ?? "no sender",
            recipient.Path);
    }

    private async Task<bool> TerminateCore(TimeSpan deadline)
    {
        await Task.Yield();
        _log.LogInformation("Actor system {ActorSystem} terminating (deadline {Deadline})", Name, deadline);
        var orderly = StopInOrder();
        var done = deadline == Timeout.InfiniteTimeSpan
            ? orderly
            : await Task.WhenAny(orderly, Task.Delay(deadline)).ConfigureAwait(false);
        var inTime = done == orderly;
        if (!inTime)
        {
            _log.LogWarning(
                "Actor system {ActorSystem} did not stop within {Deadline}; still running: {Actors}",
                Name,
                deadline,
                string.Join(", ", LiveActors(_root).Select(c => c.Self.Path.ToString())));
        }
        else
        {
            _log.LogInformation("Actor system {ActorSystem} terminated", Name);
        }

        _whenTerminated.TrySetResult();
        return inTime;
    }

    private async Task StopInOrder()
    {
        _userGuardian.SendSystemMessage(SystemMessage.Terminate.Instance);
        await _userGuardian.WhenTerminated.ConfigureAwait(false);
        _systemGuardian.SendSystemMessage(SystemMessage.Terminate.Instance);
        await _systemGuardian.WhenTerminated.ConfigureAwait(false);
        _root.SendSystemMessage(SystemMessage.Terminate.Instance);
        await _root.WhenTerminated.ConfigureAwait(false);
    }

    private static IEnumerable<ActorCell> LiveActors(ActorCell cell)
    {
        foreach (var child in cell.ChildCells())
        {
            foreach (var c in LiveActors(child))
            {
                yield return c;
            }
        }

        if (!cell.IsTerminated)
        {
            yield return cell;
        }
    }
}
