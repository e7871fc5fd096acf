using IsmFabric.Actors;
using IsmFabric.Persistence;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric;

/// <summary>
/// The node's durable record of its channels (SQLite by default, PostgreSQL by connection string): which opened,
/// which ended and why. After a crash, channels the ledger still shows open are recorded as ended by the restart,
/// so the next start repairs what the last one could not finish.
/// </summary>
internal sealed class ChannelLedger : ReceivePersistentActor
{
    private readonly string _node;
    private readonly ILogger _log;
    private readonly Dictionary<string, string> _open = [];
    private long _opened;
    private long _ended;

    public ChannelLedger(string node, ILogger log)
    {
        _node = node;
        _log = log;
        Recover<ChannelOpened>(e => { _open[e.Id] = e.Peer; _opened++; });
        Recover<ChannelEnded>(e => { _open.Remove(e.Id); _ended++; });
        Recover<RecoveryCompleted>(_ => Self.Tell(Repair.Instance));
        Command<Repair>(_ => RepairAfterRestart());
        Command<ChannelOpened>(e => Persist(e, x => { _open[x.Id] = x.Peer; _opened++; }));
        Command<ChannelEnded>(e => { if (_open.ContainsKey(e.Id)) { Persist(e, x => { _open.Remove(x.Id); _ended++; }); } });
        Command<GetCounts>(_ => Sender.Tell(new Counts(_opened, _ended, _open.Count)));
    }

    public override string PersistenceId => $"fabric-node-{_node}-channels";

    internal static EventTypeRegistry EventTypes() => new EventTypeRegistry()
        .Register<ChannelOpened>("fabric.channel-opened", 1)
        .Register<ChannelEnded>("fabric.channel-ended", 1);

    private void RepairAfterRestart()
    {
        if (_open.Count == 0)
        {
            return;
        }

        _log.LogWarning("node {Node} restarted with {Count} channels still recorded open; recording them as ended", _node, _open.Count);
        PersistAll(
            _open.Select(o => new ChannelEnded(o.Key, "the node restarted", DateTimeOffset.UtcNow)).ToList(),
            x => { _open.Remove(x.Id); _ended++; });
    }

    /// <summary>A channel opened.</summary>
    internal sealed record ChannelOpened(string Id, string Peer, DateTimeOffset At);

    /// <summary>A channel ended.</summary>
    internal sealed record ChannelEnded(string Id, string Reason, DateTimeOffset At);

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
