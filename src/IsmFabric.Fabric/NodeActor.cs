using System.Threading.Channels;
using Akka.Actor;
using Akka.Pattern;
using IsmFabric.Fabric.Persistence;
using IsmFabric.Channels;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Ism;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric;

/// <summary>
/// The root of a node: keeps the topology (devices up, peers' routes), routes what devices drain from their IEQs
/// (keepalive answers to peers, negotiation to channels, firmware events to whoever they concern), starts channel
/// actors for services and for peers' offers, answers operator queries, and shuts the node down in order.
/// </summary>
internal sealed class NodeActor : ReceiveActor, IWithTimers
{
    /// <summary>The actor's timers (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    private const int ClosedChannelsKept = 200;

    private readonly FabricNodeSettings _settings;
    private readonly IDeviceProvider _provider;
    private readonly bool _persistent;
    private readonly ILoggerFactory _loggers;
    private readonly Channel<IFabricChannel> _accepted = Channel.CreateUnbounded<IFabricChannel>();
    private readonly ILogger _log;
    private readonly Dictionary<uint, DeviceEntry> _devices = [];
    private readonly Dictionary<string, IActorRef> _peers = [];
    private readonly Dictionary<ulong, string> _peerByGid = [];
    private readonly Dictionary<string, PeerRoutes> _routes = [];
    private readonly Dictionary<ChannelKey, IActorRef> _channels = [];
    private readonly Dictionary<ChannelKey, ChannelStatus> _channelStatus = [];
    private readonly Queue<ChannelKey> _ended = new();
    private readonly HashSet<ChannelKey> _ledgered = [];
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private IActorRef? _deviceSupervisor;
    private IActorRef? _ledger;
    private readonly List<IActorRef> _closeRequesters = [];
    private readonly List<IActorRef> _devicesStoppedRequesters = [];
    private bool _closing;
    private bool _devicesStopping;
    private uint _nextNumber = (uint)Random.Shared.Next(1, 0x7F_FFFF);

    public NodeActor(FabricNodeSettings settings, IDeviceProvider provider, bool persistent, ILoggerFactory loggers)
    {
        _settings = settings;
        _provider = provider;
        _persistent = persistent;
        _loggers = loggers;
        _log = loggers.CreateLogger("IsmFabric.Fabric.Node");

        Receive<Start>(_ => OnStart());
        Receive<DeviceUp>(OnDeviceUp);
        Receive<DeviceDown>(OnDeviceDown);
        Receive<DeviceEvent>(OnDeviceEvent);
        Receive<PeerRoutes>(OnPeerRoutes);
        Receive<OpenChannel>(OnOpenChannel);
        Receive<ChannelReport>(OnChannelReport);
        Receive<ChannelAccepted>(a => _accepted.Writer.TryWrite(a.Channel));
        Receive<Terminated>(OnTerminated);
        Receive<GetStatus>(_ => Sender.Tell(Status()));
        Receive<GetDevices>(_ => Sender.Tell(Devices()));
        Receive<GetPeers>(_ => Sender.Tell(Peers()));
        Receive<GetChannels>(_ => Sender.Tell((IReadOnlyList<ChannelStatus>)_channelStatus.Values.OrderBy(c => c.Id, StringComparer.Ordinal).ToList()));
        Receive<CloseChannels>(_ => OnCloseChannels());
        Receive<CloseTick>(_ => ChannelsGone(force: true));
        Receive<StopDevices>(_ => OnStopDevices());
        Receive<EventSent>(s => { if (!s.Ok) { _log.LogDebug("node {Node}: event 0x{Code:x} to 0x{Gid:x16} not sent: {Error}", _settings.NodeName, s.Code, s.Target, s.Error); } });
        Receive<DeviceDmbs>(d => { if (_devices.TryGetValue(d.Fid, out var e)) { _devices[d.Fid] = e with { Dmbs = d.Count }; } });
    }

    private void OnStart()
    {
        var functions = _provider.Discover();
        _log.LogInformation("node {Node}: {Count} ISM functions discovered", _settings.NodeName, functions.Count);
        foreach (var f in functions)
        {
            _devices[f.Fid] = new DeviceEntry(f);
        }

        _deviceSupervisor = Context.ActorOf(Props.Create(() => new DeviceSupervisor(functions, _provider, _settings, Self, _loggers)), "devices");
        Context.Watch(_deviceSupervisor);
        foreach (var peer in _settings.Peers)
        {
            var p = peer;
            _peers[p.Name] = Context.ActorOf(Props.Create(() => new PeerActor(p, _settings, Self, _loggers.CreateLogger("IsmFabric.Fabric.Peer"))), $"peer-{Sanitize(p.Name)}");
            foreach (var gid in p.Gids)
            {
                _peerByGid[gid] = p.Name;
            }
        }

        if (_persistent)
        {
            // A persistent actor stops when its journal fails; the backoff supervisor starts it again, and it recovers.
            var ledger = Props.Create(() => new ChannelLedger(_settings.NodeName, _loggers.CreateLogger("IsmFabric.Fabric.Ledger")));
            _ledger = Context.ActorOf(
                BackoffSupervisor.Props(Backoff.OnStop(ledger, "channel-ledger", TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2, -1)),
                "ledger");
        }

        Sender.Tell(new Started(_accepted.Reader));
    }

    private static string Sanitize(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-').ToArray());

    // ---- topology ------------------------------------------------------------------------------------------------

    private void OnDeviceUp(DeviceUp up)
    {
        var entry = _devices.GetValueOrDefault(up.Function.Fid) ?? new DeviceEntry(up.Function);
        _devices[up.Function.Fid] = entry with { Up = up, State = "up", Starts = entry.Starts + 1 };
        PublishDevices();
    }

    private void OnDeviceDown(DeviceDown down)
    {
        if (_devices.TryGetValue(down.Function.Fid, out var entry))
        {
            _devices[down.Function.Fid] = entry with { Up = null, State = _closing ? "stopped" : "restarting", LastError = down.Reason };
        }

        foreach (var channel in _channels.Values)
        {
            channel.Tell(new ChannelActor.PathTrouble(down.Function.Fid, null, null, $"function 0x{down.Function.Fid:x} went down: {down.Reason}"));
        }

        PublishDevices();
    }

    private void PublishDevices()
    {
        var up = _devices.Values.Where(d => d.Up is not null).Select(d => d.Up!).ToList();
        foreach (var peer in _peers.Values)
        {
            peer.Tell(new DevicesChanged(up));
        }
    }

    private void OnPeerRoutes(PeerRoutes routes)
    {
        var before = _routes.GetValueOrDefault(routes.Peer)?.Routes.Select(r => r.Fid).ToHashSet() ?? [];
        _routes[routes.Peer] = routes;
        if (routes.Quiet)
        {
            return;
        }

        var recovered = routes.Routes.Select(r => r.Fid).Where(f => !before.Contains(f)).ToHashSet();
        foreach (var (key, channel) in _channels)
        {
            if (key.Peer == routes.Peer)
            {
                channel.Tell(new ChannelActor.RoutesChanged(routes.Routes, recovered));
            }
        }
    }

    private List<ChannelRoute> RoutesTo(string peer) => _routes.GetValueOrDefault(peer)?.Routes ?? [];

    private ChannelRoute? RouteVia(uint fid, ulong peerGid)
    {
        var up = _devices.GetValueOrDefault(fid)?.Up;
        return up is null ? null : new ChannelRoute(fid, up.Device, up.Gid, up.Chid, peerGid);
    }

    // ---- events from the devices ---------------------------------------------------------------------------------

    private void OnDeviceEvent(DeviceEvent e)
    {
        var ev = e.Event;
        switch (ev.Type)
        {
            case IsmEventType.Software when ev.Code == IsmEventCode.TestLink:
                var info = TestLinkInfo.Decode(ev.Info);
                if (info.Code == TestLinkInfo.Response && _peerByGid.TryGetValue(ev.Token, out var peerName))
                {
                    _peers[peerName].Tell(new KeepaliveAnswer(ev.Token, info.LinkGroupId));
                }

                break;
            case IsmEventType.Software when ev.Code == IsmEventCode.Shutdown:
                GidTrouble(ev.Token, "the peer is shutting down");
                break;
            case IsmEventType.Software when NegotiationMessage.IsNegotiation(ev.Code):
                OnNegotiation(e.Fid, ev);
                break;
            case IsmEventType.Software:
                _log.LogWarning("node {Node}: unknown software event 0x{Code:x} from GID 0x{Gid:x16} ignored", _settings.NodeName, ev.Code, ev.Token);
                break;
            case IsmEventType.Device:
                GidTrouble(ev.Token, IsmEventCode.Describe(ev.Type, ev.Code));
                break;
            case IsmEventType.Buffer:
                foreach (var channel in _channels.Values)
                {
                    channel.Tell(new ChannelActor.PathTrouble(null, null, ev.Dmb, IsmEventCode.Describe(ev.Type, ev.Code)));
                }

                break;
            default:
                _log.LogDebug("node {Node}: event {Event} ignored", _settings.NodeName, ev);
                break;
        }
    }

    private void GidTrouble(ulong gid, string reason)
    {
        if (!_peerByGid.TryGetValue(gid, out var peer))
        {
            return;
        }

        _peers[peer].Tell(new GidDown(gid, reason));
        foreach (var (key, channel) in _channels)
        {
            if (key.Peer == peer)
            {
                channel.Tell(new ChannelActor.PathTrouble(null, gid, null, $"GID 0x{gid:x16}: {reason}"));
            }
        }
    }

    private void OnNegotiation(uint fid, IsmEvent ev)
    {
        NegotiationMessage m;
        try
        {
            m = NegotiationMessage.Decode(ev.Code, ev.Info);
        }
        catch (ChannelProtocolException problem)
        {
            _log.LogWarning("node {Node}: malformed negotiation from GID 0x{Gid:x16}: {Problem}", _settings.NodeName, ev.Token, problem.Message);
            return;
        }

        if (!_peerByGid.TryGetValue(ev.Token, out var peer))
        {
            // Not a configured peer: possibly forged. Decline offers so a real peer learns why; log everything.
            _log.LogWarning("node {Node}: {Kind} for channel {Number} from unknown GID 0x{Gid:x16} refused", _settings.NodeName, m.Kind, m.ChannelId, ev.Token);
            if (m.Kind == NegotiationKind.Offer)
            {
                Answer(fid, ev.Token, m, NegotiationKind.Decline, DeclineReason.UnknownPeer);
            }

            return;
        }

        var key = new ChannelKey(peer, !m.FromInitiator, m.ChannelId);
        if (m.Kind == NegotiationKind.Offer)
        {
            if (_closing)
            {
                Answer(fid, ev.Token, m, NegotiationKind.Decline, DeclineReason.ShuttingDown);
                return;
            }

            if (_channels.ContainsKey(key))
            {
                Answer(fid, ev.Token, m, NegotiationKind.Decline, DeclineReason.DuplicateChannel);
                return;
            }

            var route = RouteVia(fid, ev.Token);
            if (route is null)
            {
                return;
            }

            var routes = RoutesTo(peer);
            var actor = Context.ActorOf(
                Props.Create(() => new ChannelActor(key, _settings, Self, routes, m, route, _loggers.CreateLogger("IsmFabric.Fabric.Channel"))),
                $"channel-in-{Sanitize(peer)}-{m.ChannelId}");
            Context.Watch(actor);
            _channels[key] = actor;
            return;
        }

        if (_channels.TryGetValue(key, out var channel))
        {
            channel.Tell(new ChannelActor.Negotiation(m, ev.Token, fid, RouteVia(fid, ev.Token)));
        }
        else if (m.Kind is NegotiationKind.Resume or NegotiationKind.Accept)
        {
            // The channel is gone here (a restart, a timeout): tell the peer so it stops trying.
            Answer(fid, ev.Token, m, NegotiationKind.Close, DeclineReason.ProtocolError);
        }
    }

    private void Answer(uint fid, ulong gid, NegotiationMessage about, NegotiationKind kind, DeclineReason reason)
    {
        var device = _devices.GetValueOrDefault(fid)?.Up?.Device;
        var (code, info) = new NegotiationMessage(kind, about.ChannelId, !about.FromInitiator, 0, 0, reason, 0).Encode();
        device?.Tell(new SendEvent(gid, code, info));
    }

    // ---- channels ------------------------------------------------------------------------------------------------

    private void OnOpenChannel(OpenChannel open)
    {
        if (!_peers.ContainsKey(open.Peer))
        {
            Sender.Tell(new ChannelOpenFailed($"'{open.Peer}' is not a configured peer (configured: {string.Join(", ", _peers.Keys)})"));
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
        var actor = Context.ActorOf(
            Props.Create(() => new ChannelActor(key, _settings, Self, routes, opener, _loggers.CreateLogger("IsmFabric.Fabric.Channel"))),
            $"channel-out-{Sanitize(open.Peer)}-{number}");
        Context.Watch(actor);
        _channels[key] = actor;
    }

    private void OnChannelReport(ChannelReport report)
    {
        _channelStatus[report.Key] = report.Status;
        if (_ledger is null)
        {
            return;
        }

        if (report.Status.State == "open" && _ledgered.Add(report.Key))
        {
            _ledger.Tell(new ChannelOpened(report.Status.Id, report.Key.Peer, DateTimeOffset.UtcNow));
        }
        else if (report.Status.State is "closed" or "ended" && _ledgered.Remove(report.Key))
        {
            _ledger.Tell(new ChannelEnded(report.Status.Id, report.Status.Reason ?? "closed", DateTimeOffset.UtcNow));
        }
    }

    private void OnTerminated(Terminated t)
    {
        if (t.ActorRef.Equals(_deviceSupervisor))
        {
            DevicesGone();
            return;
        }

        var key = _channels.FirstOrDefault(c => c.Value.Equals(t.ActorRef)).Key;
        if (key is null)
        {
            return;
        }

        _channels.Remove(key);
        if (_channelStatus.TryGetValue(key, out var status) && status.State is not ("closed" or "ended"))
        {
            _channelStatus[key] = status with { State = "ended", Reason = status.Reason ?? "the channel actor stopped" };
        }

        if (_ledger is not null && _ledgered.Remove(key))
        {
            _ledger.Tell(new ChannelEnded(_channelStatus[key].Id, _channelStatus[key].Reason ?? "closed", DateTimeOffset.UtcNow));
        }

        _ended.Enqueue(key);
        while (_ended.Count > ClosedChannelsKept)
        {
            _channelStatus.Remove(_ended.Dequeue());
        }

        ChannelsGone(force: false);
    }

    // ---- shutdown (CoordinatedShutdown tasks: channels in service-requests-done, devices in service-stop) ---------

    /// <summary>A channel that throws is stopped (its DMBs are reclaimed through DeathWatch); so is anything else that fails.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        _log.LogWarning("node {Node}: a child actor failed and is stopped: {Error}", _settings.NodeName, e.Message);
        return Directive.Stop;
    });

    private void OnCloseChannels()
    {
        _closeRequesters.Add(Sender);
        if (_closing)
        {
            ChannelsGone(force: false);
            return;
        }

        _closing = true;
        _log.LogInformation("node {Node}: shutting down: closing {Count} channels", _settings.NodeName, _channels.Count);
        _accepted.Writer.TryComplete();
        foreach (var channel in _channels.Values)
        {
            channel.Tell(ChannelActor.ShutdownChannel.Instance);
        }

        Timers.StartSingleTimer("shutdown", CloseTick.Instance, _settings.NegotiationTimeout * 2);
        ChannelsGone(force: false);
    }

    private void ChannelsGone(bool force)
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

    private void OnStopDevices()
    {
        _closing = true;
        if (_deviceSupervisor is null)
        {
            Sender.Tell(DevicesStopped.Instance);
            return;
        }

        _devicesStoppedRequesters.Add(Sender);
        if (_devicesStopping)
        {
            return;
        }

        _devicesStopping = true;

        // Tell every reachable peer GID that our DMBs are going (SMC-D's SHUTDOWN), then stop the devices: each
        // unregisters its DMBs before unmapping them, then its IEQ and SBA, and releases the function.
        foreach (var routes in _routes.Values)
        {
            foreach (var route in routes.Routes)
            {
                route.Device.Tell(new SendEvent(route.PeerGid, IsmEventCode.Shutdown, 0));
            }
        }

        Context.Stop(_deviceSupervisor);
    }

    private void DevicesGone()
    {
        _deviceSupervisor = null;
        foreach (var requester in _devicesStoppedRequesters)
        {
            requester.Tell(DevicesStopped.Instance);
        }

        _devicesStoppedRequesters.Clear();
    }

    // ---- queries -------------------------------------------------------------------------------------------------

    private NodeStatus Status()
    {
        var peers = Peers();
        return new NodeStatus(
            _settings.NodeName, _started, _devices.Values.Count(d => d.Up is not null), _devices.Count,
            peers.Count(p => p.Reachable), peers.Count, _channelStatus.Values.Count(c => c.State == "open"), _channelStatus.Count);
    }

    private IReadOnlyList<DeviceStatus> Devices() => _devices.Values
        .OrderBy(d => d.Function.Fid)
        .Select(d => new DeviceStatus(
            d.Function.Name, d.Function.Fid, d.Up is null ? "" : $"0x{d.Up.Gid:x16}", d.Function.Chid, d.Function.Pnetid,
            d.State, d.Up is null ? 0 : d.Dmbs, Math.Max(0, d.Starts - 1), d.LastError))
        .ToList();

    private IReadOnlyList<PeerStatus> Peers() => _settings.Peers
        .Select(p =>
        {
            var r = _routes.GetValueOrDefault(p.Name);
            return new PeerStatus(
                p.Name, p.Gids.Select(g => $"0x{g:x16}").ToList(), r is { Routes.Count: > 0 },
                r?.Routes.Select(x => $"0x{x.PeerGid:x16}").ToList() ?? [], r?.LastSeen, r?.RttMicroseconds,
                _channelStatus.Count(c => c.Key.Peer == p.Name && c.Value.State == "open"));
        })
        .ToList();

    /// <summary>A device as the node knows it.</summary>
    private sealed record DeviceEntry(FunctionDescriptor Function)
    {
        public DeviceUp? Up { get; init; }

        public string State { get; init; } = "starting";

        public int Starts { get; init; }

        public string? LastError { get; init; }

        public int Dmbs { get; init; }
    }

    /// <summary>Discover the devices and start the node's actors.</summary>
    internal sealed class Start
    {
        internal static readonly Start Instance = new();
    }

    /// <summary>The node's actors are started; peers' channels arrive on <paramref name="Accepted"/>.</summary>
    internal sealed record Started(ChannelReader<IFabricChannel> Accepted);

    /// <summary>Open a channel to a configured peer; the answer is the channel or <see cref="ChannelOpenFailed"/>.</summary>
    internal sealed record OpenChannel(string Peer);

    /// <summary>Status query.</summary>
    internal sealed class GetStatus
    {
        internal static readonly GetStatus Instance = new();
    }

    /// <summary>Devices query.</summary>
    internal sealed class GetDevices
    {
        internal static readonly GetDevices Instance = new();
    }

    /// <summary>Peers query.</summary>
    internal sealed class GetPeers
    {
        internal static readonly GetPeers Instance = new();
    }

    /// <summary>Channels query.</summary>
    internal sealed class GetChannels
    {
        internal static readonly GetChannels Instance = new();
    }

    /// <summary>Take no new channels, close every channel (what was sent is delivered, peers told); answered with <see cref="ChannelsClosed"/>.</summary>
    internal sealed class CloseChannels
    {
        internal static readonly CloseChannels Instance = new();
    }

    /// <summary>Every channel has ended.</summary>
    internal sealed class ChannelsClosed
    {
        internal static readonly ChannelsClosed Instance = new();
    }

    /// <summary>Send SHUTDOWN to the peers and stop the devices (DMBs unregistered, then unmapped); answered with <see cref="DevicesStopped"/>.</summary>
    internal sealed class StopDevices
    {
        internal static readonly StopDevices Instance = new();
    }

    /// <summary>Every device actor has stopped and released its function.</summary>
    internal sealed class DevicesStopped
    {
        internal static readonly DevicesStopped Instance = new();
    }

    private sealed class CloseTick
    {
        internal static readonly CloseTick Instance = new();
    }
}
