using IsmFabric.Actors;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Persistence;

/// <summary>
/// An event-sourced actor (Akka's <c>ReceivePersistentActor</c>). On start it recovers: the newest snapshot
/// (<see cref="SnapshotOffer"/>), then every later event, then <see cref="RecoveryCompleted"/>, all through the
/// <see cref="Recover{T}"/> handlers. Then <see cref="Command{T}"/> handlers process messages; a command persists
/// events with <see cref="Persist{TEvent}"/> or <see cref="PersistAll{TEvent}"/>, and each event's handler runs only
/// after the journal has made it durable, with the command's sender as <c>Sender</c>. The journal is asynchronous
/// and answers with messages; while a write (or recovery) is in flight, new commands are stashed and processed
/// afterwards in their order, so the actor never blocks and never sees a command between an event and its handler.
/// </summary>
public abstract class ReceivePersistentActor : ActorBase
{
    private readonly List<Func<object, bool>> _recoverHandlers = [];
    private readonly object _incarnation = new();
    private readonly List<PendingEvent> _pending = [];
    private List<Func<object, bool>> _commandHandlers = [];
    private List<Func<object, bool>>? _configuring;
    private List<PendingEvent> _inFlight = [];
    private State _state = State.Recovering;
    private IStash? _internalStash;
    private PersistenceExtension? _persistence;
    private long _lastSequenceNr;
    private long _currentSequenceNr;

    /// <summary>Starts registering command and recovery handlers (call them from the derived constructor).</summary>
    protected ReceivePersistentActor() => _configuring = _commandHandlers;

    private enum State
    {
        Recovering,
        Running,
        Persisting,
        Stopped,
    }

    /// <summary>The stable identity of this actor's event stream; must not change across incarnations.</summary>
    public abstract string PersistenceId { get; }

    /// <summary>The sequence number of the last event recovered or persisted (0 before any).</summary>
    public long LastSequenceNr => _lastSequenceNr;

    /// <summary>Whether the actor is still replaying.</summary>
    public bool IsRecovering => _state == State.Recovering;

    /// <summary>The journal, snapshot store and registry in use; by default those registered for the system.</summary>
    protected virtual PersistenceExtension Persistence => _persistence ??= PersistenceExtension.Get(Context.System);

    private IStash InternalStash => _internalStash ??= new UnboundedStash(Cell);

    /// <summary>Handles a replayed event (or <see cref="SnapshotOffer"/>, or <see cref="RecoveryCompleted"/>) of type <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The event type.</typeparam>
    /// <param name="handler">Applies the event to the state; must not persist or talk to the world.</param>
    protected void Recover<T>(Action<T> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        if (_configuring is null)
        {
            throw new InvalidOperationException("Recover<T> may only be called in the constructor");
        }

        _recoverHandlers.Add(m =>
        {
            if (m is T t)
            {
                handler(t);
                return true;
            }

            return false;
        });
    }

    /// <summary>Handles commands of type <typeparamref name="T"/> (matching <paramref name="shouldHandle"/>, when given).</summary>
    /// <typeparam name="T">The command type.</typeparam>
    /// <param name="handler">Validates the command and persists events.</param>
    /// <param name="shouldHandle">An optional filter.</param>
    protected void Command<T>(Action<T> handler, Predicate<T>? shouldHandle = null)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Configuring().Add(m =>
        {
            if (m is T t && (shouldHandle is null || shouldHandle(t)))
            {
                handler(t);
                return true;
            }

            return false;
        });
    }

    /// <summary>Handles any command not handled by an earlier handler.</summary>
    /// <param name="handler">The handler.</param>
    protected void CommandAny(Action<object> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        Configuring().Add(m =>
        {
            handler(m);
            return true;
        });
    }

    /// <summary>Replaces the command handlers with those <paramref name="configure"/> registers.</summary>
    /// <param name="configure">Calls Command to register the new handlers.</param>
    protected void Become(Action configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var handlers = new List<Func<object, bool>>();
        var previous = _configuring;
        _configuring = handlers;
        try
        {
            configure();
        }
        finally
        {
            _configuring = previous;
        }

        _commandHandlers = handlers;
    }

    /// <summary>Persists <paramref name="event"/>; <paramref name="handler"/> runs once it is durable.</summary>
    /// <typeparam name="TEvent">The event type (registered in the <see cref="EventTypeRegistry"/>).</typeparam>
    /// <param name="event">The event.</param>
    /// <param name="handler">Applies the event and replies; runs after the write, with the command's sender.</param>
    protected void Persist<TEvent>(TEvent @event, Action<TEvent> handler)
        where TEvent : notnull
    {
        ArgumentNullException.ThrowIfNull(@event);
        ArgumentNullException.ThrowIfNull(handler);
        EnsureCanPersist();
        _pending.Add(new PendingEvent(@event, ++_currentSequenceNr, Cell.CurrentEnvelope.Sender, e => handler((TEvent)e)));
    }

    /// <summary>
    /// Persists <paramref name="events"/> as one atomic batch: after a crash either all of them are in the journal or
    /// none is. <paramref name="handler"/> runs for each, in order, once all are durable.
    /// </summary>
    /// <typeparam name="TEvent">The event type.</typeparam>
    /// <param name="events">The events.</param>
    /// <param name="handler">Applies an event; runs after the write, with the command's sender.</param>
    protected void PersistAll<TEvent>(IEnumerable<TEvent> events, Action<TEvent> handler)
        where TEvent : notnull
    {
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(handler);
        EnsureCanPersist();
        var sender = Cell.CurrentEnvelope.Sender;
        foreach (var e in events)
        {
            ArgumentNullException.ThrowIfNull(e, nameof(events));
            _pending.Add(new PendingEvent(e, ++_currentSequenceNr, sender, x => handler((TEvent)x)));
        }
    }

    /// <summary>Stores <paramref name="snapshot"/> as the state after <see cref="LastSequenceNr"/>; the answer is <see cref="SaveSnapshotSuccess"/> or <see cref="SaveSnapshotFailure"/>, as a command.</summary>
    /// <param name="snapshot">The state (its type registered in the <see cref="EventTypeRegistry"/>).</param>
    protected void SaveSnapshot(object snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var metadata = new SnapshotMetadata(PersistenceId, _lastSequenceNr, Context.System.Scheduler.Now);
        var self = Self;
        try
        {
            var (name, version, payload) = Persistence.Registry.Serialize(snapshot);
            var entry = new SnapshotEntry(metadata.PersistenceId, metadata.SequenceNr, name, version, payload, metadata.Timestamp);
            Persistence.SnapshotStore.SaveSnapshotAsync(entry).PipeTo(self, self, () => new SaveSnapshotSuccess(metadata), ex => new SaveSnapshotFailure(metadata, ex));
        }
        catch (Exception ex)
        {
            self.Tell(new SaveSnapshotFailure(metadata, ex), self);
        }
    }

    /// <summary>Deletes this actor's events up to <paramref name="toSequenceNr"/> (e.g. those a snapshot covers); the answer is <see cref="DeleteMessagesSuccess"/> or <see cref="DeleteMessagesFailure"/>.</summary>
    /// <param name="toSequenceNr">The last sequence number to delete.</param>
    protected void DeleteMessages(long toSequenceNr)
    {
        var self = Self;
        Persistence.Journal.DeleteToAsync(PersistenceId, toSequenceNr)
            .PipeTo(self, self, () => new DeleteMessagesSuccess(toSequenceNr), ex => new DeleteMessagesFailure(toSequenceNr, ex));
    }

    /// <summary>Deletes this actor's snapshots up to <paramref name="maxSequenceNr"/>; the answer is <see cref="DeleteSnapshotsSuccess"/> or <see cref="DeleteSnapshotsFailure"/>.</summary>
    /// <param name="maxSequenceNr">The highest snapshot sequence number to delete.</param>
    protected void DeleteSnapshots(long maxSequenceNr)
    {
        var self = Self;
        Persistence.SnapshotStore.DeleteSnapshotsAsync(PersistenceId, maxSequenceNr)
            .PipeTo(self, self, () => new DeleteSnapshotsSuccess(maxSequenceNr), ex => new DeleteSnapshotsFailure(maxSequenceNr, ex));
    }

    /// <summary>The journal failed to write (or refused: another writer); the state of the write is unknown, so the actor is stopped after this call. Default: logs an error.</summary>
    /// <param name="cause">The failure.</param>
    /// <param name="event">The first event of the failed batch.</param>
    /// <param name="sequenceNr">Its sequence number.</param>
    protected virtual void OnPersistFailure(Exception cause, object @event, long sequenceNr) =>
        Log.LogError(cause, "Persistent actor {PersistenceId} failed to persist {EventType} at {SequenceNr}; stopping", PersistenceId, @event.GetType().Name, sequenceNr);

    /// <summary>An event could not be serialized, so nothing was written and the actor goes on. Default: logs a warning.</summary>
    /// <param name="cause">The failure.</param>
    /// <param name="event">The rejected event.</param>
    /// <param name="sequenceNr">The sequence number it would have had.</param>
    protected virtual void OnPersistRejected(Exception cause, object @event, long sequenceNr) =>
        Log.LogWarning(cause, "Persistent actor {PersistenceId} rejected {EventType} at {SequenceNr}", PersistenceId, @event.GetType().Name, sequenceNr);

    /// <summary>Recovery failed (the store, an unknown event type, or a recovery handler); the actor is stopped after this call. Default: logs an error.</summary>
    /// <param name="cause">The failure.</param>
    /// <param name="event">The event being replayed, if the failure concerned one.</param>
    protected virtual void OnRecoveryFailure(Exception cause, object? @event) =>
        Log.LogError(cause, "Persistent actor {PersistenceId} failed to recover (event {EventType}); stopping", PersistenceId, @event?.GetType().Name ?? "none");

    /// <inheritdoc />
    protected internal sealed override bool Receive(object message)
    {
        if (message is JournalResponse response)
        {
            if (ReferenceEquals(response.Incarnation, _incarnation))
            {
                OnJournalResponse(response);
            }

            return true;
        }

        if (_state != State.Running)
        {
            if (_state != State.Stopped)
            {
                InternalStash.Stash();
            }

            return true;
        }

        var handled = false;
        foreach (var h in _commandHandlers)
        {
            if (h(message))
            {
                handled = true;
                break;
            }
        }

        Flush();
        return handled;
    }

    /// <inheritdoc />
    protected internal override void AroundPreStart()
    {
        _configuring = null;
        base.AroundPreStart();
        StartRecovery();
    }

    /// <inheritdoc />
    protected internal override void AroundPostRestart(Exception reason)
    {
        _configuring = null;
        base.AroundPostRestart(reason);
        StartRecovery();
    }

    /// <inheritdoc />
    protected internal override void AroundPreRestart(Exception reason, object? message)
    {
        // Commands held back for a write or recovery go back to the mailbox for the next incarnation.
        _internalStash?.UnstashAll();
        base.AroundPreRestart(reason, message);
    }

    /// <inheritdoc />
    protected internal override void AroundPostStop()
    {
        _internalStash?.ClearStash();
        base.AroundPostStop();
    }

    private List<Func<object, bool>> Configuring() =>
        _configuring ?? throw new InvalidOperationException("Command<T> may only be called in the constructor or inside Become(...)");

    private void EnsureCanPersist()
    {
        if (_state is State.Recovering or State.Stopped)
        {
            throw new InvalidOperationException($"{PersistenceId} cannot persist while {_state.ToString().ToLowerInvariant()}");
        }
    }

    private void StartRecovery()
    {
        _state = State.Recovering;
        var self = Self;
        var incarnation = _incarnation;
        var persistenceId = PersistenceId;
        var persistence = Persistence;
        _ = Task.Run(async () =>
        {
            try
            {
                var from = 1L;
                var snapshot = await persistence.SnapshotStore.LoadSnapshotAsync(persistenceId, long.MaxValue).ConfigureAwait(false);
                if (snapshot is not null)
                {
                    var state = persistence.Registry.Deserialize(snapshot.TypeName, snapshot.TypeVersion, snapshot.Payload.Span);
                    var metadata = new SnapshotMetadata(persistenceId, snapshot.SequenceNr, snapshot.Timestamp);
                    self.Tell(new Replayed(incarnation, new SnapshotOffer(metadata, state), snapshot.SequenceNr), self);
                    from = snapshot.SequenceNr + 1;
                }

                await foreach (var e in persistence.Journal.ReadAsync(persistenceId, from, long.MaxValue).ConfigureAwait(false))
                {
                    var @event = persistence.Registry.Deserialize(e.TypeName, e.TypeVersion, e.Payload.Span);
                    self.Tell(new Replayed(incarnation, @event, e.SequenceNr), self);
                }

                var highest = await persistence.Journal.ReadHighestSequenceNrAsync(persistenceId).ConfigureAwait(false);
                self.Tell(new RecoveryFinished(incarnation, highest), self);
            }
            catch (Exception ex)
            {
                self.Tell(new RecoveryFailed(incarnation, ex), self);
            }
        });
    }

    private void OnJournalResponse(JournalResponse response)
    {
        switch (response)
        {
            case Replayed replayed when _state == State.Recovering:
                try
                {
                    RunRecoveryHandler(replayed.Event);
                }
                catch (Exception ex)
                {
                    FailRecovery(ex, replayed.Event);
                    return;
                }

                _lastSequenceNr = replayed.SequenceNr;
                break;
            case RecoveryFinished finished when _state == State.Recovering:
                _lastSequenceNr = Math.Max(_lastSequenceNr, finished.HighestSequenceNr);
                _currentSequenceNr = _lastSequenceNr;
                try
                {
                    RunRecoveryHandler(RecoveryCompleted.Instance);
                }
                catch (Exception ex)
                {
                    FailRecovery(ex, null);
                    return;
                }

                _state = State.Running;
                InternalStash.UnstashAll();
                break;
            case RecoveryFailed failed when _state == State.Recovering:
                FailRecovery(failed.Cause, null);
                break;
            case WriteSucceeded:
                OnWriteSucceeded();
                break;
            case WriteFailed failed:
                var first = _inFlight[0];
                _inFlight = [];
                _state = State.Stopped;
                OnPersistFailure(failed.Cause, first.Event, first.SequenceNr);
                Context.Stop(Self);
                break;
        }
    }

    private void RunRecoveryHandler(object @event)
    {
        foreach (var h in _recoverHandlers)
        {
            if (h(@event))
            {
                return;
            }
        }
    }

    private void FailRecovery(Exception cause, object? @event)
    {
        _state = State.Stopped;
        OnRecoveryFailure(cause, @event);
        Context.Stop(Self);
    }

    private void OnWriteSucceeded()
    {
        var batch = _inFlight;
        _inFlight = [];
        var original = Cell.CurrentEnvelope.Sender;
        try
        {
            foreach (var p in batch)
            {
                _lastSequenceNr = p.SequenceNr;
                Cell.SetCurrentSender(p.Sender);
                p.Handler(p.Event);
            }
        }
        finally
        {
            Cell.SetCurrentSender(original);
        }

        // Handlers may persist again: write that next, still holding commands back.
        _state = State.Running;
        Flush();
        if (_state == State.Running)
        {
            InternalStash.UnstashAll();
        }
    }

    private void Flush()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var batch = _pending.ToList();
        _pending.Clear();
        var registry = Persistence.Registry;
        var now = Context.System.Scheduler.Now;
        var events = new List<JournalEvent>(batch.Count);
        foreach (var p in batch)
        {
            try
            {
                var (name, version, payload) = registry.Serialize(p.Event);
                events.Add(new JournalEvent(PersistenceId, p.SequenceNr, name, version, payload, now));
            }
            catch (Exception ex)
            {
                // Nothing of the batch is written; its sequence numbers are free again.
                _currentSequenceNr = _lastSequenceNr;
                OnPersistRejected(ex, p.Event, p.SequenceNr);
                return;
            }
        }

        _inFlight = batch;
        _state = State.Persisting;
        var self = Self;
        var incarnation = _incarnation;
        Persistence.Journal.WriteAsync(events).PipeTo(self, self, () => new WriteSucceeded(incarnation), ex => new WriteFailed(incarnation, ex));
    }

    private sealed record PendingEvent(object Event, long SequenceNr, IActorRef? Sender, Action<object> Handler);

    private abstract record JournalResponse(object Incarnation);

    private sealed record Replayed(object Incarnation, object Event, long SequenceNr) : JournalResponse(Incarnation);

    private sealed record RecoveryFinished(object Incarnation, long HighestSequenceNr) : JournalResponse(Incarnation);

    private sealed record RecoveryFailed(object Incarnation, Exception Cause) : JournalResponse(Incarnation);

    private sealed record WriteSucceeded(object Incarnation) : JournalResponse(Incarnation);

    private sealed record WriteFailed(object Incarnation, Exception Cause) : JournalResponse(Incarnation);
}
