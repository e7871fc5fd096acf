using System.Threading.Channels;
using Akka.Actor;
using IsmFabric.Channels;
using IsmFabric.Fabric.Persistence;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Ism;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric.Channels;

/// <summary>
/// Opens channels: starts a channel actor for each channel a service opens and for each offer a configured peer
/// makes (declining offers from unknown GIDs, duplicates, and more channels per peer than configured), routes every
/// negotiation message to its channel, keeps the channels' status and the ledger, and closes them all at shutdown.
/// A channel actor that fails is stopped (its DMBs are reclaimed), never restarted.
/// </summary>
internal sealed class ChannelNegotiationSupervisor : ReceiveActor, IWithTimers
{
    private const int EndedChannelsKept = 200;

    private readonly FabricNodeSettings _settings;
    private readonly IActorRef _dmbs;
    private readonly IActorRef _failover;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly Dictionary<Gid, string> _peerByGid = [];
    private readonly Dictionary<uint, DeviceUp> _devices = [];
    private readonly Dictionary<string, IReadOnlyList<ChannelRoute>> _routes = [];
    private readonly Dictionary<ChannelKey, IActorRef> _channels = [];
    private readonly Dictionary<IActorRef, ChannelKey> _keys = [];
    private readonly Dictionary<ChannelKey, ChannelStatus> _status = [];
    private readonly Queue<ChannelKey> _ended = new();
    private readonly HashSet<ChannelKey> _ledgered = [];
    private readonly List<IActorRef> _closeRequesters = [];
    private readonly ChannelWriter<IFabricChannel> _accepted;
    private IActorRef? _ledger;
    private bool _closing;
    private uint _nextNumber = (uint)Random.Shared.Next(1, 0x7F_FFFF);

    public ChannelNegotiationSupervisor(FabricNodeSettings settings, IActorRef dmbs, IActorRef failover, ChannelWriter<IFabricChannel> accepted, ILoggerFactory loggers)
    {
        _settings = settings;
        _dmbs = dmbs;
        _failover = failover;
        _accepted = accepted;
        _loggers = loggers;
        _log = loggers.CreateLogger("IsmFabric.Fabric.Channels");
        foreach (var peer in settings.Peers)
        {
            foreach (var gid in peer.Gids)
            {
                _peerByGid[new Gid(gid)] = peer.Name;
            }
        }

        Receive<NegotiationEvent>(OnNegotiation);
        Receive<OpenChannel>(OnOpen);
        Receive<PeerRoutes>(r => _routes[r.Peer] = r.Routes);
        Receive<DeviceUp>(up => _devices[up.Function.Fid] = up);
        Receive<DeviceDown>(down => _devices.Remove(down.Function.Fid));
        Receive<ChannelAccepted>(a => _accepted.TryWrite(a.Channel));
        Receive<ChannelReport>(OnReport);
        Receive<UseLedger>(u => _ledger = u.Ledger);
        Receive<GetChannels>(_ => Sender.Tell((IReadOnlyList<ChannelStatus>)_status.Values.OrderBy(c => c.Id, StringComparer.Ordinal).ToList()));
        Receive<CloseAll>(_ => OnCloseAll());
        Receive<CloseTick>(_ => ClosedAll(force: true));
        Receive<EventSent>(s =>
        {
            if (!s.Ok)
            {
                _log.LogDebug("event 0x{Code:x} to {Gid} not sent: {Error}", s.Code, s.Target, s.Error);
            }
        });
        Receive<Terminated>(t => OnChannelStopped(t.ActorRef));
    }

    /// <summary>The actor's timers (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>A channel actor that fails is stopped; the DMB supervisor reclaims its DMBs.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        _log.LogWarning("a channel actor failed and is stopped: {Error}", e.Message);
        return Directive.Stop;
    });

    private IReadOnlyList<ChannelRoute> RoutesTo(string peer) => _routes.GetValueOrDefault(peer) ?? [];

    private ChannelRoute? RouteVia(uint fid, Gid peerGid) =>
        _devices.GetValueOrDefault(fid) is { } up ? new ChannelRoute(fid, up.Device, up.Gid, up.Chid, peerGid) : null;

    private void OnOpen(OpenChannel open)
    {
        if (!_settings.Peers.Any(p => p.Name == open.Peer))
        {
            Sender.Tell(new ChannelOpenFailed($"'{open.Peer}' is not a configured peer (configured: {string.Join(", ", _settings.Peers.Select(p => p.Name))})"));
            return;
        }

        if (_closing)
        {
            Sender.Tell(new ChannelOpenFailed("the node is shutting down"));
            return;
        }

        var number = _nextNumber;
        _nextNumber = _nextNumber >= NegotiationMessage.MaxChannelId ? 1 : _nextNumber + 1;
        var key = new ChannelKey(open.Peer, true, number);
        var routes = RoutesTo(open.Peer);
        var opener = Sender;
        Start(key, Props.Create(() => new ChannelActor(key, _settings, _dmbs, _failover, routes, opener, _loggers.CreateLogger("IsmFabric.Fabric.Channel"))), $"out-{ActorNames.Safe(open.Peer)}-{number}");
    }

    private void Start(ChannelKey key, Props props, string name)
    {
        var actor = Context.ActorOf(props, name);
        Context.Watch(actor);
        _channels[key] = actor;
        _keys[actor] = key;
    }

    private void OnNegotiation(NegotiationEvent e)
    {
        var ev = e.Event;
        var from = new Gid(ev.Token);
        NegotiationMessage m;
        try
        {
            m = NegotiationMessage.Decode(ev.Code, ev.Info);
        }
        catch (ChannelProtocolException problem)
        {
            _log.LogWarning("malformed negotiation from {Gid}: {Problem}", from, problem.Message);
            return;
        }

        if (!_peerByGid.TryGetValue(from, out var peer))
        {
            // Not a configured peer: possibly forged. Decline offers so a real peer learns why; log everything.
            _log.LogWarning("{Kind} for channel {Number} from unknown GID {Gid} refused", m.Kind, m.ChannelId, from);
            if (m.Kind == NegotiationKind.Offer)
            {
                Answer(e.Fid, from, m, NegotiationKind.Decline, DeclineReason.UnknownPeer);
            }

            return;
        }

        var key = new ChannelKey(peer, !m.FromInitiator, m.ChannelId);
        if (m.Kind == NegotiationKind.Offer)
        {
            OnOffer(e.Fid, from, peer, key, m);
            return;
        }

        if (_channels.TryGetValue(key, out var channel))
        {
            channel.Tell(new ChannelActor.Negotiation(m, from, e.Fid, RouteVia(e.Fid, from)));
        }
        else if (m.Kind is NegotiationKind.Resume or NegotiationKind.Accept)
        {
            // The channel is gone here (a restart, a timeout): tell the peer so it stops trying.
            Answer(e.Fid, from, m, NegotiationKind.Close, DeclineReason.ProtocolError);
        }
    }

    private void OnOffer(uint fid, Gid from, string peer, ChannelKey key, NegotiationMessage offer)
    {
        if (_closing)
        {
            Answer(fid, from, offer, NegotiationKind.Decline, DeclineReason.ShuttingDown);
            return;
        }

        if (_channels.ContainsKey(key))
        {
            Answer(fid, from, offer, NegotiationKind.Decline, DeclineReason.DuplicateChannel);
            return;
        }

        var open = _channels.Keys.Count(k => k.Peer == peer);
        if (open >= _settings.MaxChannelsPerPeer)
        {
            _log.LogWarning("peer {Peer} already has {Count} channels (MaxChannelsPerPeer {Max}); its offer of channel {Number} is declined", peer, open, _settings.MaxChannelsPerPeer, offer.ChannelId);
            Answer(fid, from, offer, NegotiationKind.Decline, DeclineReason.NoResources);
            return;
        }

        if (RouteVia(fid, from) is not { } route)
        {
            return;
        }

        var routes = RoutesTo(peer);
        Start(key, Props.Create(() => new ChannelActor(key, _settings, _dmbs, _failover, routes, offer, route, _loggers.CreateLogger("IsmFabric.Fabric.Channel"))), $"in-{ActorNames.Safe(peer)}-{offer.ChannelId}");
    }

    private void Answer(uint fid, Gid gid, NegotiationMessage about, NegotiationKind kind, DeclineReason reason)
    {
        var (code, info) = new NegotiationMessage(kind, about.ChannelId, !about.FromInitiator, 0, 0, reason, 0).Encode();
        _devices.GetValueOrDefault(fid)?.Device.Tell(new SendEvent(gid, code, info));
    }

    private void OnReport(ChannelReport report)
    {
        _status[report.Key] = report.Status;
        if (_ledger is null)
        {
            return;
        }

        if (report.Status.State == ChannelState.Open && _ledgered.Add(report.Key))
        {
            _ledger.Tell(new ChannelOpened(report.Status.Id, report.Key.Peer, DateTimeOffset.UtcNow));
        }
        else if (report.Status.State is ChannelState.Closed or ChannelState.Ended && _ledgered.Remove(report.Key))
        {
            _ledger.Tell(new ChannelEnded(report.Status.Id, report.Status.Reason ?? "closed", DateTimeOffset.UtcNow));
        }
    }

    private void OnChannelStopped(IActorRef actor)
    {
        if (!_keys.Remove(actor, out var key))
        {
            return;
        }

        _channels.Remove(key);
        if (_status.TryGetValue(key, out var status) && status.State is not (ChannelState.Closed or ChannelState.Ended))
        {
            _status[key] = status = status with { State = ChannelState.Ended, Reason = status.Reason ?? "the channel actor stopped" };
        }

        if (_ledger is not null && _ledgered.Remove(key) && status is not null)
        {
            _ledger.Tell(new ChannelEnded(status.Id, status.Reason ?? "closed", DateTimeOffset.UtcNow));
        }

        _ended.Enqueue(key);
        while (_ended.Count > EndedChannelsKept)
        {
            _status.Remove(_ended.Dequeue());
        }

        ClosedAll(force: false);
    }

    private void OnCloseAll()
    {
        _closeRequesters.Add(Sender);
        if (!_closing)
        {
            _closing = true;
            _log.LogInformation("node {Node}: shutting down: closing {Count} channels", _settings.NodeName, _channels.Count);
            _accepted.TryComplete();
            foreach (var channel in _channels.Values)
            {
                channel.Tell(ChannelActor.ShutdownChannel.Instance);
            }

            Timers.StartSingleTimer("close", CloseTick.Instance, _settings.NegotiationTimeout * 2);
        }

        ClosedAll(force: false);
    }

    private void ClosedAll(bool force)
    {
        if (_closeRequesters.Count == 0 || (_channels.Count > 0 && !force))
        {
            return;
        }

        foreach (var channel in _channels.Values)
        {
            Context.Stop(channel); // did not close in time: its DMBs are reclaimed when it stops
        }

        foreach (var requester in _closeRequesters)
        {
            requester.Tell(ChannelsClosed.Instance);
        }

        _closeRequesters.Clear();
    }

    /// <summary>Where channel events are journaled (once the ledger exists).</summary>
    internal sealed record UseLedger(IActorRef Ledger);

    /// <summary>The channels' status, for listings.</summary>
    internal sealed class GetChannels
    {
        internal static readonly GetChannels Instance = new();
    }

    /// <summary>Take no new channels, close every channel (what was sent is delivered, peers told); answered with <see cref="ChannelsClosed"/>.</summary>
    internal sealed class CloseAll
    {
        internal static readonly CloseAll Instance = new();
    }

    /// <summary>Every channel has ended.</summary>
    internal sealed class ChannelsClosed
    {
        internal static readonly ChannelsClosed Instance = new();
    }

    private sealed class CloseTick
    {
        internal static readonly CloseTick Instance = new();
    }
}
