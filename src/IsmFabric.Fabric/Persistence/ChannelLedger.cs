using Akka.Actor;
using Akka.Persistence;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric.Persistence;

/// <summary>
/// The node's durable record of its channels (Akka.Persistence.Sql: SQLite by default, PostgreSQL by connection
/// string): which opened, which ended and why, with a snapshot every <see cref="SnapshotEvery"/> events. After a
/// crash, channels the ledger still shows open are recorded as ended by the restart, so the next start repairs
/// what the last one could not finish. Runs under a backoff supervisor: a journal that fails stops it, and it comes
/// back and recovers.
/// </summary>
internal sealed class ChannelLedger : ReceivePersistentActor
{
    /// <summary>Events between snapshots.</summary>
    internal const int SnapshotEvery = 100;

    private readonly string _node;
    private readonly ILogger _log;
    private readonly Dictionary<string, string> _open = [];
    private long _opened;
    private long _ended;
    private List<string> _recoveredOpen = [];

    public ChannelLedger(string node, ILogger log)
    {
        _node = node;
        _log = log;
        Recover<SnapshotOffer>(offer => Restore((ChannelLedgerSnapshot)offer.Snapshot));
        Recover<ChannelOpened>(Apply);
        Recover<ChannelEnded>(Apply);
        Recover<RecoveryCompleted>(_ =>
        {
            // Only what the journal says was open before this start: channels this start opens may already be
            // waiting in the stash (recovery can take longer than opening the first channel).
            _recoveredOpen = [.. _open.Keys];
            Self.Tell(Repair.Instance);
        });
        Command<Repair>(_ => RepairAfterRestart());
        Command<ChannelOpened>(e => Persist(e, Applied));
        Command<ChannelEnded>(e =>
        {
            if (_open.ContainsKey(e.Id))
            {
                Persist(e, Applied);
            }
        });
        Command<GetCounts>(_ => Sender.Tell(new Counts(_opened, _ended, _open.Count)));
        Command<SaveSnapshotSuccess>(s => DeleteSnapshots(new SnapshotSelectionCriteria(s.Metadata.SequenceNr - 1)));
        Command<SaveSnapshotFailure>(f => _log.LogWarning(f.Cause, "node {Node}: ledger snapshot not saved: {Error}", _node, f.Cause.Message));
        Command<DeleteSnapshotsSuccess>(_ => { });
        Command<DeleteSnapshotsFailure>(f => _log.LogDebug("node {Node}: old ledger snapshots not deleted: {Error}", _node, f.Cause.Message));
    }

    public override string PersistenceId => $"fabric-node-{_node}-channels";

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _log.LogError("node {Node}: the channel ledger cannot be recovered: {Error}", _node, reason.Message);
        base.OnRecoveryFailure(reason, message);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _log.LogError("node {Node}: the channel ledger could not write event {Sequence}: {Error}; it restarts and recovers", _node, sequenceNr, cause.Message);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _log.LogError("node {Node}: the journal rejected ledger event {Sequence} ({Event}): {Error}", _node, sequenceNr, @event.GetType().Name, cause.Message);
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    private void Restore(ChannelLedgerSnapshot snapshot)
    {
        _opened = snapshot.Opened;
        _ended = snapshot.Ended;
        _open.Clear();
        foreach (var (id, peer) in snapshot.Open)
        {
            _open[id] = peer;
        }
    }

    private void Apply(ChannelOpened e)
    {
        _open[e.Id] = e.Peer;
        _opened++;
    }

    private void Apply(ChannelEnded e)
    {
        if (_open.Remove(e.Id))
        {
            _ended++;
        }
    }

    private void Applied(ChannelOpened e)
    {
        Apply(e);
        SnapshotIfDue();
    }

    private void Applied(ChannelEnded e)
    {
        Apply(e);
        SnapshotIfDue();
    }

    private void SnapshotIfDue()
    {
        if (LastSequenceNr % SnapshotEvery == 0)
        {
            SaveSnapshot(new ChannelLedgerSnapshot(_opened, _ended, new Dictionary<string, string>(_open)));
        }
    }

    private void RepairAfterRestart()
    {
        var stale = _recoveredOpen.Where(_open.ContainsKey).ToList();
        _recoveredOpen = [];
        if (stale.Count == 0)
        {
            return;
        }

        _log.LogWarning("node {Node} restarted with {Count} channels still recorded open; recording them as ended", _node, stale.Count);
        PersistAll(stale.Select(id => new ChannelEnded(id, "the node restarted", DateTimeOffset.UtcNow)).ToList(), Applied);
    }

    /// <summary>Runs the repair once recovery is over (persisting is for commands, not recovery handlers).</summary>
    private sealed class Repair
    {
        internal static readonly Repair Instance = new();
    }

    /// <summary>Asks for the counters.</summary>
    internal sealed record GetCounts;

    /// <summary>Channels opened and ended since the ledger began, and open now.</summary>
    internal sealed record Counts(long Opened, long Ended, int Open);
}
