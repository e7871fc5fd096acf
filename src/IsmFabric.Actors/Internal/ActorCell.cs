using Microsoft.Extensions.Logging;

namespace IsmFabric.Actors;

/// <summary>
/// The runtime state of one actor: its instance, behaviors, children, watches and supervision state. Everything
/// here except the children table (locked) and the mailbox queues is touched only by the thread running the actor.
/// </summary>
internal sealed class ActorCell : IActorContext
{
    [ThreadStatic]
    private static ActorCell? t_current;

    [ThreadStatic]
    private static ActorCell? t_constructing;

    private readonly object _childrenLock = new();
    private readonly Dictionary<string, ActorCell> _children = new(StringComparer.Ordinal);
    private readonly HashSet<ActorCell> _stoppingChildren = [];
    private readonly HashSet<IActorRef> _watching = [];
    private readonly HashSet<IActorRef> _terminatedQueued = [];
    private readonly HashSet<IInternalActorRef> _watchedBy = [];
    private readonly List<Receive> _behaviors = [];
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ActorBase? _actor;
    private Envelope _current;
    private int _suspendCount;
    private bool _failed;
    private object? _failedMessage;
    private Exception? _pendingRecreate;
    private volatile bool _terminating;
    private bool _isTerminated;
    private long _childNameCounter;
    private TimerScheduler? _timers;
    private UnboundedStash? _stash;
    private ILogger? _log;

    public ActorCell(ActorSystem system, IInternalActorRef parent, Props props, ActorPath path)
    {
        System = system;
        ParentRef = parent;
        Props = props;
        Self = new LocalActorRef(this, path);
        Mailbox = new Mailbox(this, system.Settings.Throughput);
    }

    /// <summary>The cell whose actor runs on this thread right now (for the implicit sender of Tell).</summary>
    public static ActorCell? Current
    {
        get => t_current;
        set => t_current = value;
    }

    /// <summary>The cell whose actor instance is being constructed on this thread.</summary>
    public static ActorCell? Constructing
    {
        get => t_constructing;
        set => t_constructing = value;
    }

    public ActorSystem System { get; }

    public IInternalActorRef ParentRef { get; }

    public Props Props { get; }

    public LocalActorRef Self { get; }

    public Mailbox Mailbox { get; }

    public ChildRestartStats RestartStats { get; } = new();

    public Task WhenTerminated => _terminated.Task;

    public bool IsSuspended => _suspendCount > 0;

    public bool IsTerminated => _isTerminated;

    public Envelope CurrentEnvelope => _current;

    public ActorBase? Actor => _actor;

    IActorRef IActorContext.Self => Self;

    public IActorRef Sender => _current.Sender ?? System.DeadLetters;

    public IActorRef Parent => ParentRef;

    public ILogger Log => _log ??= System.LoggerFactory.CreateLogger(Props.ActorType.FullName ?? Props.ActorType.Name);

    public ITimerScheduler Timers => _timers ??= new TimerScheduler(this);

    public IStash Stash => _stash ??= new UnboundedStash(this);

    public IReadOnlyCollection<IActorRef> Children
    {
        get
        {
            lock (_childrenLock)
            {
                return _children.Values.Select(c => (IActorRef)c.Self).ToArray();
            }
        }
    }

    /// <summary>Replaces the sender seen by the actor for the rest of the current message (persistence restores a command's sender).</summary>
    public void SetCurrentSender(IActorRef? sender) => _current = _current with { Sender = sender };

    public IActorRef? Child(string name)
    {
        lock (_childrenLock)
        {
            return _children.TryGetValue(name, out var c) ? c.Self : null;
        }
    }

    public ActorCell[] ChildCells()
    {
        lock (_childrenLock)
        {
            return [.. _children.Values];
        }
    }

    public void Start() => Mailbox.PostSystem(SystemMessage.Create.Instance);

    public void SendSystemMessage(SystemMessage message) => Mailbox.PostSystem(message);

    public IActorRef ActorOf(Props props, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(props);
        ActorCell child;
        lock (_childrenLock)
        {
            if (_terminating)
            {
                throw new InvalidOperationException($"{Self.Path} is stopping and cannot create children");
            }

            if (name is null)
            {
                do
                {
                    name = "$" + ToBase36(++_childNameCounter);
                }
                while (_children.ContainsKey(name));
            }
            else
            {
                ValidateName(name);
                if (_children.ContainsKey(name))
                {
                    throw new InvalidActorNameException($"Actor name [{name}] is not unique under {Self.Path}");
                }
            }

            child = new ActorCell(System, Self, props, Self.Path / name);
            _children.Add(name, child);
        }

        child.Start();
        return child.Self;
    }

    public void Stop(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor is LocalActorRef local && ReferenceEquals(local.Cell.ParentRef, Self))
        {
            _stoppingChildren.Add(local.Cell);
        }

        if (actor is IInternalActorRef internalRef)
        {
            internalRef.SendSystemMessage(SystemMessage.Terminate.Instance);
        }
    }

    public IActorRef Watch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        if (ReferenceEquals(subject, Self) || _terminating)
        {
            return subject;
        }

        if (subject is not IInternalActorRef target)
        {
            throw new ArgumentException($"Cannot watch {subject.Path}: not an actor of this runtime", nameof(subject));
        }

        if (_watching.Add(subject) && !_terminatedQueued.Contains(subject))
        {
            target.SendSystemMessage(new SystemMessage.Watch(Self));
        }

        return subject;
    }

    public IActorRef Unwatch(IActorRef subject)
    {
        ArgumentNullException.ThrowIfNull(subject);
        var wasWatching = _watching.Remove(subject);
        _terminatedQueued.Remove(subject);
        if (wasWatching && subject is IInternalActorRef target)
        {
            target.SendSystemMessage(new SystemMessage.Unwatch(Self));
        }

        return subject;
    }

    public void Become(Receive receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        if (_behaviors.Count > 1)
        {
            _behaviors[^1] = receive;
        }
        else
        {
            _behaviors.Add(receive);
        }
    }

    public void BecomeStacked(Receive receive)
    {
        ArgumentNullException.ThrowIfNull(receive);
        _behaviors.Add(receive);
    }

    public void UnbecomeStacked()
    {
        if (_behaviors.Count > 1)
        {
            _behaviors.RemoveAt(_behaviors.Count - 1);
        }
    }

    /// <summary>Processes one user message.</summary>
    public void Invoke(Envelope envelope)
    {
        _current = envelope;
        try
        {
            switch (envelope.Message)
            {
                case PoisonPill:
                    SendSystemMessage(SystemMessage.Terminate.Instance);
                    break;
                case Kill:
                    throw new ActorKilledException($"{Self.Path} received Kill");
                case DeathWatchTerminated notification:
                    // Only deliver if still watched: Unwatch after the notification was queued cancels it.
                    if (_terminatedQueued.Remove(notification.Terminated.ActorRef))
                    {
                        _current = new Envelope(notification.Terminated, envelope.Sender);
                        Deliver(notification.Terminated);
                    }

                    break;
                case Identify identify:
                    Sender.Tell(new ActorIdentity(identify.MessageId, Self), Self);
                    break;
                case TimerScheduler.TimerMessage tick:
                    if (_timers is not null && _timers.TryAccept(tick, out var timerMessage))
                    {
                        // The actor sees (and may stash) the timer's message itself, not the tick that carried it.
                        _current = new Envelope(timerMessage, envelope.Sender);
                        Deliver(timerMessage);
                    }

                    break;
                default:
                    Deliver(envelope.Message);
                    break;
            }
        }
        catch (Exception ex)
        {
            Fail(ex, envelope.Message);
        }
        finally
        {
            _current = default;
        }
    }

    /// <summary>Processes one system message.</summary>
    public void SystemInvoke(SystemMessage message)
    {
        try
        {
            switch (message)
            {
                case SystemMessage.Create:
                    Create();
                    break;
                case SystemMessage.Recreate recreate:
                    FaultRecreate(recreate.Cause);
                    break;
                case SystemMessage.Suspend:
                    _suspendCount++;
                    SendToChildren(SystemMessage.Suspend.Instance);
                    break;
                case SystemMessage.Resume:
                    FaultResume();
                    break;
                case SystemMessage.Terminate:
                    BeginTerminate();
                    break;
                case SystemMessage.Watch watch:
                    if (!ReferenceEquals(watch.Watcher, Self))
                    {
                        _watchedBy.Add(watch.Watcher);
                    }

                    break;
                case SystemMessage.Unwatch unwatch:
                    _watchedBy.Remove(unwatch.Watcher);
                    break;
                case SystemMessage.DeathWatchNotification notification:
                    WatchedActorTerminated(notification.Actor);
                    break;
                case SystemMessage.Failed failed:
                    HandleFailed(failed.Child, failed.Cause);
                    break;
                case SystemMessage.ChildTerminated childTerminated:
                    HandleChildTerminated(childTerminated.Child);
                    break;
            }
        }
        catch (Exception ex)
        {
            Log.LogError(ex, "Actor {ActorPath} failed while handling {SystemMessage}", Self.Path, message.GetType().Name);
            Fail(ex, null);
        }
    }

    /// <summary>Answers a system message that reached this cell after it stopped.</summary>
    public void HandleSystemMessageWhenDead(SystemMessage message)
    {
        if (message is SystemMessage.Watch watch && !ReferenceEquals(watch.Watcher, Self))
        {
            watch.Watcher.SendSystemMessage(new SystemMessage.DeathWatchNotification(Self));
        }
    }

    /// <summary>Fails the actor: it stops processing user messages until its parent decides.</summary>
    public void Fail(Exception cause, object? message)
    {
        if (_terminating)
        {
            Log.LogError(cause, "Actor {ActorPath} failed while stopping", Self.Path);
            return;
        }

        if (_failed)
        {
            Log.LogError(cause, "Actor {ActorPath} failed again while its supervisor decides about an earlier failure", Self.Path);
            return;
        }

        _failed = true;
        _failedMessage = message;
        _suspendCount++;
        SendToChildren(SystemMessage.Suspend.Instance);
        ParentRef.SendSystemMessage(new SystemMessage.Failed(this, cause));
    }

    private void Deliver(object message)
    {
        var actor = _actor ?? throw new InvalidOperationException($"{Self.Path} has no instance");
        actor.AroundReceive(_behaviors[^1], message);
    }

    private ActorBase NewInstance()
    {
        var previous = t_constructing;
        t_constructing = this;
        try
        {
            var actor = Props.NewActor();
            if (!ReferenceEquals(actor.Cell, this))
            {
                throw new ActorInitializationException($"The props of {Self.Path} must create a new instance on every call");
            }

            return actor;
        }
        finally
        {
            t_constructing = previous;
        }
    }

    private void Create()
    {
        try
        {
            _actor = NewInstance();
            _behaviors.Clear();
            _behaviors.Add(_actor.Receive);
            _actor.AroundPreStart();
        }
        catch (Exception ex)
        {
            Fail(ex as ActorInitializationException ?? new ActorInitializationException($"Exception during creation of {Self.Path}", ex), null);
        }
    }

    private void FaultResume()
    {
        _failed = false;
        _failedMessage = null;
        if (_suspendCount > 0)
        {
            _suspendCount--;
        }

        if (_actor is null && !_terminating)
        {
            // Nothing to resume: creation itself failed. Resume means "try again" here.
            _suspendCount++;
            FaultRecreate(new ActorInitializationException($"{Self.Path} resumed without an instance"));
            return;
        }

        SendToChildren(SystemMessage.Resume.Instance);
    }

    private void FaultRecreate(Exception cause)
    {
        if (_terminating)
        {
            return;
        }

        if (_actor is { } old)
        {
            _timers?.CancelAll();
            _stash?.UnstashAll();
            try
            {
                old.AroundPreRestart(cause, _failedMessage);
            }
            catch (Exception ex)
            {
                Log.LogError(ex, "PreRestart of {ActorPath} failed", Self.Path);
            }

            _actor = null;
        }

        if (_stoppingChildren.Count > 0)
        {
            _pendingRecreate = cause;
        }
        else
        {
            FinishRecreate(cause);
        }
    }

    private void FinishRecreate(Exception cause)
    {
        _pendingRecreate = null;
        _failed = false;
        _failedMessage = null;
        if (_suspendCount > 0)
        {
            _suspendCount--;
        }

        var survivors = ChildCells();
        try
        {
            _actor = NewInstance();
            _behaviors.Clear();
            _behaviors.Add(_actor.Receive);
            _actor.AroundPostRestart(cause);
        }
        catch (Exception ex)
        {
            Fail(ex as ActorInitializationException ?? new ActorInitializationException($"Exception during restart of {Self.Path}", ex), null);
            return;
        }

        foreach (var child in survivors)
        {
            child.SendSystemMessage(new SystemMessage.Recreate(cause));
        }
    }

    private void BeginTerminate()
    {
        ActorCell[] children;
        lock (_childrenLock)
        {
            if (_terminating)
            {
                return;
            }

            _terminating = true;
            children = [.. _children.Values];
        }

        _suspendCount++;
        _timers?.CancelAll();
        foreach (var watched in _watching)
        {
            if (watched is IInternalActorRef target)
            {
                target.SendSystemMessage(new SystemMessage.Unwatch(Self));
            }
        }

        _watching.Clear();
        _terminatedQueued.Clear();
        foreach (var child in children)
        {
            _stoppingChildren.Add(child);
            child.SendSystemMessage(SystemMessage.Terminate.Instance);
        }

        if (children.Length == 0)
        {
            FinishTerminate();
        }
    }

    private void FinishTerminate()
    {
        if (_isTerminated)
        {
            return;
        }

        if (_actor is { } actor)
        {
            try
            {
                actor.AroundPostStop();
            }
            catch (Exception ex)
            {
                Log.LogError(ex, "PostStop of {ActorPath} failed", Self.Path);
            }
        }

        _actor = null;
        _isTerminated = true;
        _stash?.ClearStash();
        Mailbox.Close();
        foreach (var watcher in _watchedBy)
        {
            watcher.SendSystemMessage(new SystemMessage.DeathWatchNotification(Self));
        }

        _watchedBy.Clear();
        ParentRef.SendSystemMessage(new SystemMessage.ChildTerminated(this));
        _terminated.TrySetResult();
    }

    private void WatchedActorTerminated(IActorRef actor)
    {
        if (_terminating)
        {
            return;
        }

        if (_watching.Remove(actor))
        {
            _terminatedQueued.Add(actor);
            Mailbox.Post(new Envelope(new DeathWatchTerminated(new Terminated(actor)), actor));
        }
    }

    private void HandleFailed(ActorCell child, Exception cause)
    {
        lock (_childrenLock)
        {
            if (!_children.TryGetValue(child.Self.Path.Name, out var current) || !ReferenceEquals(current, child))
            {
                return;
            }
        }

        if (_stoppingChildren.Contains(child))
        {
            return;
        }

        var strategy = Props.SupervisorStrategy ?? _actor?.SupervisorStrategy() ?? SupervisorStrategy.DefaultStrategy;
        Directive directive;
        try
        {
            directive = strategy.Decider(cause);
        }
        catch (Exception ex)
        {
            Log.LogError(ex, "The supervisor strategy of {ActorPath} threw; escalating", Self.Path);
            directive = Directive.Escalate;
        }

        SupervisorStrategy.LogFailure(Log, child.Self, cause, directive);
        System.EventStream.Publish(new ActorFailure(child.Self, cause, directive));
        switch (directive)
        {
            case Directive.Resume:
                child.SendSystemMessage(SystemMessage.Resume.Instance);
                break;
            case Directive.Restart:
                strategy.ProcessFailure(this, restart: true, child, cause);
                break;
            case Directive.Stop:
                strategy.ProcessFailure(this, restart: false, child, cause);
                break;
            default:
                Fail(cause, null);
                break;
        }
    }

    private void HandleChildTerminated(ActorCell child)
    {
        lock (_childrenLock)
        {
            var name = child.Self.Path.Name;
            if (_children.TryGetValue(name, out var current) && ReferenceEquals(current, child))
            {
                _children.Remove(name);
            }
        }

        _stoppingChildren.Remove(child);
        if (_terminating)
        {
            bool none;
            lock (_childrenLock)
            {
                none = _children.Count == 0;
            }

            if (none)
            {
                FinishTerminate();
            }
        }
        else if (_pendingRecreate is { } cause && _stoppingChildren.Count == 0)
        {
            FinishRecreate(cause);
        }
    }

    /// <summary>Marks a child as being stopped by this cell (so a restart waits for it) and stops it.</summary>
    internal void StopChild(ActorCell child)
    {
        _stoppingChildren.Add(child);
        child.SendSystemMessage(SystemMessage.Terminate.Instance);
    }

    private void SendToChildren(SystemMessage message)
    {
        foreach (var child in ChildCells())
        {
            child.SendSystemMessage(message);
        }
    }

    /// <summary>A death-watch notification in the mailbox, told apart from a <see cref="Terminated"/> someone merely sent.</summary>
    private sealed record DeathWatchTerminated(Terminated Terminated);

    private static void ValidateName(string name)
    {
        if (name.Length == 0 || name[0] == '$')
        {
            throw new InvalidActorNameException($"Actor name [{name}] must not be empty or start with '$'");
        }

        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || "-_.:@&=+,!~*'();$".Contains(c, StringComparison.Ordinal)))
            {
                throw new InvalidActorNameException($"Actor name [{name}] contains '{c}'; use letters, digits and -_.:@&=+,!~*'();$");
            }
        }
    }

    private static string ToBase36(long value)
    {
        const string digits = "abcdefghijklmnopqrstuvwxyz0123456789";
        Span<char> buffer = stackalloc char[16];
        var i = buffer.Length;
        do
        {
            buffer[--i] = digits[(int)(value % 36)];
            value /= 36;
        }
        while (value > 0);
        return new string(buffer[i..]);
    }
}
