using IsmFabric.Actors;

namespace IsmFabric.Persistence.Tests;

/// <summary>A persistent counter used by the specs; reports recovery and failures to a probe.</summary>
internal sealed class Counter : ReceivePersistentActor
{
    private readonly IActorRef _probe;
    private int _total;

    public Counter(string persistenceId, IActorRef probe)
    {
        PersistenceId = persistenceId;
        _probe = probe;
        Recover<Added>(e => _total += e.Amount);
        Recover<SnapshotOffer>(s => _total = ((CounterState)s.Snapshot).Total);
        Recover<RecoveryCompleted>(_ => _probe.Tell(new Recovered(_total, LastSequenceNr), Self));
        Command<Add>(c => Persist(new Added(c.Amount), e =>
        {
            _total += e.Amount;
            Sender.Tell(new Ack(LastSequenceNr), Self);
        }));
        Command<AddMany>(c => PersistAll(c.Amounts.Select(a => new Added(a)), e =>
        {
            _total += e.Amount;
            Sender.Tell(new Ack(LastSequenceNr), Self);
        }));
        Command<Get>(_ => Sender.Tell(new Total(_total, LastSequenceNr), Self));
        Command<Snap>(_ => SaveSnapshot(new CounterState(_total)));
        Command<SaveSnapshotSuccess>(s => _probe.Tell(s, Self));
        Command<DeleteUpTo>(d => DeleteMessages(d.SequenceNr));
        Command<DeleteMessagesSuccess>(d => _probe.Tell(d, Self));
        Command<PersistUnregistered>(_ => Persist(new NotRegistered(1), _ => _probe.Tell("handler of a rejected event ran", Self)));
        Command<Fail>(_ => throw new InvalidOperationException("command failed"));
    }

    public override string PersistenceId { get; }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _probe.Tell(new PersistFailed(cause, sequenceNr), Self);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _probe.Tell(new PersistRejected(cause, sequenceNr), Self);
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    protected override void OnRecoveryFailure(Exception cause, object? @event)
    {
        _probe.Tell(new RecoveryFailed(cause), Self);
        base.OnRecoveryFailure(cause, @event);
    }

    public sealed record Add(int Amount);

    public sealed record AddMany(int[] Amounts);

    public sealed record Get;

    public sealed record Snap;

    public sealed record DeleteUpTo(long SequenceNr);

    public sealed record PersistUnregistered;

    public sealed record Fail;

    public sealed record Ack(long SequenceNr);

    public sealed record Total(int Value, long SequenceNr);

    public sealed record Recovered(int Total, long SequenceNr);

    public sealed record PersistFailed(Exception Cause, long SequenceNr);

    public sealed record PersistRejected(Exception Cause, long SequenceNr);

    public sealed record RecoveryFailed(Exception Cause);
}
