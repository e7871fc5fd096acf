using Akka.Actor;
using IsmFabric.Channels;
using IsmFabric.Fabric.Devices;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Ism;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric.Channels;

/// <summary>
/// One channel's decisions: it negotiates the channel in-band (offer/accept, or answers an offer), hands the bytes to
/// a <see cref="ChannelDataPlane"/> that runs without it, moves the channel to another route when its function or the
/// peer's fails (the initiator drives the resume, the responder answers; sequence numbers make the move lossless),
/// and closes it. Its DMBs come from the DMB supervisor and go back only once the peer can no longer write them; if
/// the actor stops for any reason the DMB supervisor reclaims them. A malformed control block or frame from the peer
/// ends this one channel with the reason logged.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "The user's channel is the user's to dispose; the actor ends it in Finish or PostStop.")]
internal sealed partial class ChannelActor : ReceiveActor, IWithTimers
{
    private readonly ChannelKey _key;
    private readonly FabricNodeSettings _settings;
    private readonly IActorRef _supervisor;
    private readonly IActorRef _dmbs;
    private readonly IActorRef _failover;
    private readonly ILogger _log;
    private IActorRef? _opener;
    private ChannelState _state = ChannelState.Opening;
    private DevicePath? _path;
    private ChannelDataPlane? _plane;
    private FabricChannel? _user;
    private uint _epoch;
    private string? _endReason;

    /// <summary>An initiator: opens channel <paramref name="key"/> and answers <paramref name="opener"/>.</summary>
    public ChannelActor(ChannelKey key, FabricNodeSettings settings, IActorRef dmbs, IActorRef failover, IReadOnlyList<ChannelRoute> routes, IActorRef opener, ILogger log)
        : this(key, settings, dmbs, failover, routes, log)
    {
        _opener = opener;
    }

    /// <summary>A responder: answers <paramref name="offer"/> that arrived over <paramref name="route"/>.</summary>
    public ChannelActor(ChannelKey key, FabricNodeSettings settings, IActorRef dmbs, IActorRef failover, IReadOnlyList<ChannelRoute> routes, NegotiationMessage offer, ChannelRoute route, ILogger log)
        : this(key, settings, dmbs, failover, routes, log)
    {
        _offer = offer;
        _offerRoute = route;
        _initiatorGid = route.PeerGid;
    }

    private ChannelActor(ChannelKey key, FabricNodeSettings settings, IActorRef dmbs, IActorRef failover, IReadOnlyList<ChannelRoute> routes, ILogger log)
    {
        _key = key;
        _settings = settings;
        _supervisor = Context.Parent;
        _dmbs = dmbs;
        _failover = failover;
        _routes = routes;
        _log = log;

        Receive<DmbAllocated>(OnAllocated);
        Receive<DmbAllocationFailed>(OnAllocationFailed);
        Receive<EventSent>(OnEventSent);
        Receive<Negotiation>(OnNegotiation);
        Receive<NegotiationTimedOut>(OnTimeout);
        Receive<RoutesChanged>(OnRoutes);
        Receive<PathTrouble>(t => OnPathTrouble(t.Reason, t.FailedFid, t.FailedPeerGid, t.FailedToken));
        Receive<DeviceGone>(g => OnPathTrouble($"device 0x{g.Fid:x} gone: {g.Reason}", g.Fid, null));
        Receive<PathFailed>(OnPathFailed);
        Receive<ProtocolViolation>(v => OnProtocolViolation(v.Problem));
        Receive<PeerClosing>(_ => OnPeerClosingSeen());
        Receive<ReaderAtEnd>(_ => OnReaderAtEnd());
        Receive<CloseRequested>(_ => BeginClose(DeclineReason.Closed, "closed by its user"));
        Receive<ShutdownChannel>(_ => BeginClose(DeclineReason.ShuttingDown, "node shutting down"));
        Receive<DrainTick>(_ => ContinueClose(timedOut: false));
        Receive<CloseTimedOut>(_ => ContinueClose(timedOut: true));
        Receive<PeerDrainTimedOut>(_ => Finish(null));
        Receive<ClaimTimedOut>(_ => OnClaimTimeout());
        Receive<FailoverDeadline>(d =>
        {
            if (_state == ChannelState.FailingOver && d.Epoch == _epoch)
            {
                Fail($"no ISM path to peer {_key.Peer} remains", DeclineReason.Timeout);
            }
        });
        Receive<ReportTick>(_ => Report());
    }

    /// <summary>The actor's timers (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    private string Id => $"{_initiatorGid.Value:x16}/{_key.Number}";

    private ulong EndpointId => (_initiatorGid.Value << 24) ^ _key.Number;

    protected override void PreStart()
    {
        _failover.Tell(new FollowRoutes(_key.Peer));
        Timers.StartPeriodicTimer("report", ReportTick.Instance, TimeSpan.FromMilliseconds(500));
        if (_key.LocalInitiator)
        {
            TryNegotiate(Purpose.Offer);
        }
        else
        {
            _candidate = _offerRoute;
            _purpose = Purpose.Accept;
            Allocate(_candidate!);
        }
    }

    protected override void PostStop()
    {
        if (_state is not (ChannelState.Closed or ChannelState.Ended))
        {
            // Stopped without finishing (a crash, the node forcing it): tell the peer, so it frees its side too.
            SendClose(DeclineReason.ProtocolError);
            var reason = _endReason ?? "the channel actor stopped";
            _plane?.End(reason, reason);
            _user?.Finish(reason, reason);
            _opener?.Tell(new ChannelOpenFailed(reason));
        }

        // Every DMB this actor held is reclaimed by the DMB supervisor, which watches it.
    }

    // ---- open: the data plane -------------------------------------------------------------------------------------

    private void OpenOn(ChannelRoute route, DmbAllocated granted, DmbToken remote, int remoteSize)
    {
        var path = new DevicePath(route, granted.Handle, remote, remoteSize);
        _path = path;
        _granted = null;
        _purpose = Purpose.None;
        _plane = new ChannelDataPlane(EndpointId, path, Self, _settings.ReadSpin);
        _user = new FabricChannel(Id, _key.Peer, _plane, Self);
        _state = ChannelState.Open;
        _failover.Tell(new PathInUse(route.Fid, route.PeerGid, granted.Handle.Token, remote));
        _log.LogInformation("channel {Channel} to {Peer} open over function 0x{Fid:x} (CHID {Chid})", Id, _key.Peer, route.Fid, route.Chid);
        if (!_key.LocalInitiator)
        {
            Timers.StartSingleTimer("claim", ClaimTimedOut.Instance, _settings.ChannelClaimTimeout);
        }

        Report();
    }

    private void OnClaimTimeout()
    {
        if (_user is { Claimed: false } && _state == ChannelState.Open)
        {
            _log.LogWarning("channel {Channel} from {Peer}: no service claimed it within {Timeout}; closing it", Id, _key.Peer, _settings.ChannelClaimTimeout);
            _plane?.CloseSends("no service claimed the channel");
            BeginClose(DeclineReason.Closed, $"no service claimed it within {_settings.ChannelClaimTimeout.TotalSeconds:0.#} s");
        }
    }

    private void OnProtocolViolation(string problem)
    {
        if (_state is ChannelState.Closed or ChannelState.Ended)
        {
            return;
        }

        _log.LogWarning("channel {Channel}: peer {Peer} broke the channel protocol: {Problem}; closing it", Id, _key.Peer, problem);
        Fail($"peer {_key.Peer} broke the channel protocol: {problem}", DeclineReason.ProtocolError);
    }

    private void Allocate(ChannelRoute route)
    {
        _granted = null;
        _allocation++;
        _dmbs.Tell(new AllocateDmb(route.Fid, _settings.ChannelDmbSize, route.PeerGid, _allocation));
    }

    private void Free(DmbToken token) => _dmbs.Tell(new FreeDmb(token));

    private void Report()
    {
        var counters = _plane?.Counters ?? default;
        var state = _state == ChannelState.Ended && _endReason is null ? ChannelState.Closed : _state;
        _supervisor.Tell(new ChannelReport(_key, new ChannelStatus(
            Id, _key.Peer, state, _path is null ? "-" : $"0x{_path.Route.Fid:x}", _epoch,
            counters.MessagesSent, counters.MessagesReceived, counters.BytesSent, counters.BytesReceived, _endReason)));
    }
}
