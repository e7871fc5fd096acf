using System.Threading.Channels;
using Akka.Actor;
using Akka.Pattern;
using IsmFabric.Fabric.Channels;
using IsmFabric.Fabric.Devices;
using IsmFabric.Fabric.Dmbs;
using IsmFabric.Fabric.Failover;
using IsmFabric.Fabric.Peers;
using IsmFabric.Fabric.Persistence;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Ism;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric;

/// <summary>
/// The root of a node: starts the DMB lifecycle supervisor, the failover coordinator, the channel negotiation
/// supervisor, one peer actor per configured peer, the device supervisor and the channel ledger; keeps the topology
/// (devices up, peers' routes) and passes changes to whoever needs them; answers operator queries; and runs the
/// ordered stop (channels, then devices) for CoordinatedShutdown.
/// </summary>
internal sealed class NodeActor : ReceiveActor
{
    private readonly FabricNodeSettings _settings;
    private readonly IDeviceProvider _provider;
    private readonly bool _persistent;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _log;
    private readonly Channel<IFabricChannel> _accepted = Channel.CreateUnbounded<IFabricChannel>();
    private readonly Dictionary<uint, DeviceEntry> _devices = [];
    private readonly Dictionary<string, IActorRef> _peers = [];
    private readonly Dictionary<string, PeerRoutes> _routes = [];
    private readonly List<IActorRef> _devicesStoppedRequesters = [];
    private readonly DateTimeOffset _started = DateTimeOffset.UtcNow;
    private IActorRef _dmbs = ActorRefs.Nobody;
    private IActorRef _failover = ActorRefs.Nobody;
    private IActorRef _channels = ActorRefs.Nobody;
    private IActorRef? _deviceSupervisor;
    private IActorRef? _ledger;
    private bool _stopping;

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
        Receive<DeviceDmbs>(d =>
        {
            if (_devices.TryGetValue(d.Fid, out var e))
            {
                _devices[d.Fid] = e with { Dmbs = d.Count };
            }
        });
        Receive<PeerRoutes>(OnPeerRoutes);
        Receive<OpenChannel>(o => _channels.Forward(o));
        Receive<GetStatus>(_ => OnGetStatus());
        Receive<GetDevices>(_ => Sender.Tell(Devices()));
        Receive<GetPeers>(_ => Sender.Tell(Peers()));
        Receive<GetChannels>(_ => _channels.Forward(ChannelNegotiationSupervisor.GetChannels.Instance));
        Receive<CloseChannels>(_ => { _stopping = true; _channels.Forward(ChannelNegotiationSupervisor.CloseAll.Instance); });
        Receive<StopDevices>(_ => OnStopDevices());
        Receive<ChannelLedger.GetCounts>(q =>
        {
            if (_ledger is null)
            {
                Sender.Tell(new ChannelLedger.Counts(0, 0, 0));
            }
            else
            {
                _ledger.Forward(q);
            }
        });
        Receive<Terminated>(t =>
        {
            if (t.ActorRef.Equals(_deviceSupervisor))
            {
                DevicesGone();
            }
        });
    }

    /// <summary>Anything that fails under the node is stopped and logged; devices and the ledger restart under their own backoff supervisors.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(e =>
    {
        _log.LogWarning("node {Node}: a child actor failed and is stopped: {Error}", _settings.NodeName, e.Message);
        return Directive.Stop;
    });

    protected override void PostStop()
    {
        _accepted.Writer.TryComplete();
        if (!_stopping)
        {
            // The node actor stopped on its own: the node cannot work without it; stop the whole system in order.
            _log.LogError("node {Node}: the node actor stopped unexpectedly; stopping the node", _settings.NodeName);
            CoordinatedShutdown.Get(Context.System).Run(CoordinatedShutdown.UnknownReason.Instance);
        }
    }

    private void OnStart()
    {
        var functions = _provider.Discover();
        _log.LogInformation("node {Node}: {Count} ISM functions discovered", _settings.NodeName, functions.Count);
        foreach (var f in functions)
        {
            _devices[f.Fid] = new DeviceEntry(f);
        }

        var settings = _settings;
        var loggers = _loggers;
        var self = Self;
        _dmbs = Context.ActorOf(Props.Create(() => new DmbSupervisor(settings, self, loggers.CreateLogger("IsmFabric.Fabric.Dmbs"))), "dmbs");
        _failover = Context.ActorOf(Props.Create(() => new FailoverCoordinator()), "failover");
        var dmbs = _dmbs;
        var failover = _failover;
        var accepted = _accepted.Writer;
        _channels = Context.ActorOf(Props.Create(() => new ChannelNegotiationSupervisor(settings, dmbs, failover, accepted, loggers)), "channels");

        var peersByGid = new Dictionary<Gid, IActorRef>();
        foreach (var peer in _settings.Peers)
        {
            var p = peer;
            var actor = Context.ActorOf(Props.Create(() => new PeerActor(p, settings, self, loggers.CreateLogger("IsmFabric.Fabric.Peer"))), $"peer-{ActorNames.Safe(p.Name)}");
            _peers[p.Name] = actor;
            foreach (var gid in p.Gids)
            {
                peersByGid[new Gid(gid)] = actor;
            }
        }

        var routing = new EventRouting(_channels, _failover, peersByGid);
        _deviceSupervisor = Context.ActorOf(Props.Create(() => new DeviceSupervisor(functions, _provider, settings, self, routing, loggers)), "devices");
        Context.Watch(_deviceSupervisor);

        if (_persistent)
        {
            // A persistent actor stops when its journal fails; the backoff supervisor starts it again, and it recovers.
            var ledger = Props.Create(() => new ChannelLedger(settings.NodeName, loggers.CreateLogger("IsmFabric.Fabric.Ledger")));
            var ledgerSupervisor = Context.ActorOf(
                BackoffSupervisor.Props(Backoff.OnStop(ledger, "channel-ledger", TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), 0.2, -1)),
                "ledger");
            _channels.Tell(new ChannelNegotiationSupervisor.UseLedger(ledgerSupervisor));
            _ledger = ledgerSupervisor;
        }

        Sender.Tell(new Started(_accepted.Reader));
    }

    // ---- topology ------------------------------------------------------------------------------------------------

    private void OnDeviceUp(DeviceUp up)
    {
        var entry = _devices.GetValueOrDefault(up.Function.Fid) ?? new DeviceEntry(up.Function);
        _devices[up.Function.Fid] = entry with { Up = up, State = DeviceState.Up, Starts = entry.Starts + 1 };
        _dmbs.Tell(up);
        _channels.Tell(up);
        PublishDevices();
    }

    private void OnDeviceDown(DeviceDown down)
    {
        if (_devices.TryGetValue(down.Function.Fid, out var entry))
        {
            _devices[down.Function.Fid] = entry with { Up = null, State = _stopping ? DeviceState.Stopped : DeviceState.Restarting, LastError = down.Reason, Dmbs = 0 };
        }

        _dmbs.Tell(down);
        _channels.Tell(down);
        _failover.Tell(down);
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
        _routes[routes.Peer] = routes;
        _failover.Tell(routes);
        if (!routes.Quiet)
        {
            _channels.Tell(routes);
        }
    }

    // ---- shutdown (CoordinatedShutdown: channels in service-requests-done, devices in service-stop) ---------------

    private void OnStopDevices()
    {
        _stopping = true;
        if (_deviceSupervisor is null)
        {
            Sender.Tell(DevicesStopped.Instance);
            return;
        }

        _devicesStoppedRequesters.Add(Sender);
        if (_devicesStoppedRequesters.Count > 1)
        {
            return;
        }

        // Tell every reachable peer GID that our DMBs are going (SMC-D's SHUTDOWN), then stop the devices: each
        // closes its gates, waits for the data plane to leave, unregisters its DMBs before unmapping them, then its
        // IEQ and SBA, and releases the function.
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

    private void OnGetStatus()
    {
        var replyTo = Sender;
        var peers = Peers();
        var devices = _devices.Values.ToList();
        var name = _settings.NodeName;
        var started = _started;
        _channels.Ask<IReadOnlyList<ChannelStatus>>(ChannelNegotiationSupervisor.GetChannels.Instance, TimeSpan.FromSeconds(4))
            .PipeTo(replyTo, success: channels => new NodeStatus(
                name, started, devices.Count(d => d.Up is not null), devices.Count,
                peers.Count(p => p.Reachable), peers.Count, channels.Count(c => c.State == ChannelState.Open), channels.Count));
    }

    private IReadOnlyList<DeviceStatus> Devices() => _devices.Values
        .OrderBy(d => d.Function.Fid)
        .Select(d => new DeviceStatus(
            d.Function.Name, d.Function.Fid, d.Up is null ? "" : d.Up.Gid.ToString(), d.Function.Chid, d.Function.Pnetid,
            d.State, d.Up is null ? 0 : d.Dmbs, Math.Max(0, d.Starts - 1), d.LastError))
        .ToList();

    private IReadOnlyList<PeerStatus> Peers() => _settings.Peers
        .Select(p =>
        {
            var r = _routes.GetValueOrDefault(p.Name);
            return new PeerStatus(
                p.Name, p.Gids.Select(g => new Gid(g).ToString()).ToList(), r is { Routes.Count: > 0 },
                r?.Routes.Select(x => x.PeerGid.ToString()).ToList() ?? [], r?.LastSeen, r?.RttMicroseconds, 0);
        })
        .ToList();

    /// <summary>A device as the node knows it.</summary>
    private sealed record DeviceEntry(FunctionDescriptor Function)
    {
        public DeviceUp? Up { get; init; }

        public DeviceState State { get; init; } = DeviceState.Starting;

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

    /// <summary>Take no new channels and close every channel; answered with <see cref="ChannelNegotiationSupervisor.ChannelsClosed"/>.</summary>
    internal sealed class CloseChannels
    {
        internal static readonly CloseChannels Instance = new();
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
}
