using Akka.Actor;
using IsmFabric.Channels;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Ism;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric;

/// <summary>
/// One channel: negotiates it in-band (offer/accept, or answers an offer), pumps messages between the service's
/// queues and the ring, and moves it to another route when its function or the peer's fails (the initiator
/// drives the resume, the responder answers; sequence numbers make the move lossless). Its DMB is released only
/// once the peer can no longer write it, and the device reclaims it if this actor dies.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor releases what it owns in PostStop, its end of life.")]
internal sealed class ChannelActor : ReceiveActor, IWithTimers
{
    /// <summary>The actor's timers (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    private const int MaxInflightBatches = 8;
    private const int InboundHighWater = 1024;

    private readonly ChannelKey _key;
    private readonly FabricNodeSettings _settings;
    private readonly IActorRef _node;
    private readonly ILogger _log;
    private readonly HashSet<(uint Fid, ulong PeerGid)> _failedRoutes = [];
    private readonly HashSet<uint> _failedFunctions = [];
    private IActorRef? _opener;
    private List<ChannelRoute> _routes;
    private NegotiationMessage? _offer;
    private readonly ChannelRoute? _offerRoute;
    private ulong _initiatorGid;
    private State _state = State.Negotiating;
    private Purpose _purpose;
    private ChannelRoute? _candidate;
    private DmbGranted? _granted;
    private DeviceStorePath? _path;
    private ChannelEndpoint? _endpoint;
    private FabricChannel? _user;
    private uint _epoch;
    private int _attempt;
    private long _batch;
    private long _pathFirstBatch;
    private int _inflight;
    private bool _waitingOutbound;
    private string? _endReason;
    private DeclineReason? _closeRequested;
    private uint? _acceptedEpoch;

    /// <summary>An initiator: opens channel <paramref name="key"/> and answers <paramref name="opener"/>.</summary>
    public ChannelActor(ChannelKey key, FabricNodeSettings settings, IActorRef node, List<ChannelRoute> routes, IActorRef opener, ILogger log)
        : this(key, settings, node, routes, log)
    {
        _opener = opener;
    }

    /// <summary>A responder: answers <paramref name="offer"/> that arrived over <paramref name="route"/>.</summary>
    public ChannelActor(ChannelKey key, FabricNodeSettings settings, IActorRef node, List<ChannelRoute> routes, NegotiationMessage offer, ChannelRoute route, ILogger log)
        : this(key, settings, node, routes, log)
    {
        _offer = offer;
        _offerRoute = route;
        _initiatorGid = route.PeerGid;
    }

    private ChannelActor(ChannelKey key, FabricNodeSettings settings, IActorRef node, List<ChannelRoute> routes, ILogger log)
    {
        _key = key;
        _settings = settings;
        _node = node;
        _routes = routes;
        _log = log;

        Receive<DmbGranted>(OnGranted);
        Receive<DmbRefused>(r => OnNegotiationProblem($"no DMB: {r.Reason}", DeclineReason.NoResources));
        Receive<EventSent>(OnEventSent);
        Receive<Negotiation>(OnNegotiation);
        Receive<NegotiationTimedOut>(OnTimeout);
        Receive<RoutesChanged>(OnRoutes);
        Receive<PathTrouble>(t => OnPathTrouble(t.Fid, t.PeerGid, t.Token, t.Reason));
        Receive<DeviceGone>(g => OnPathTrouble(g.Fid, null, null, $"device 0x{g.Fid:x} gone: {g.Reason}"));
        Receive<DmbSignalled>(s => { if (_path is not null && s.Token == _path.LocalDmb.Token) { Pump(); } });
        Receive<StoresDone>(_ => OnStoresDone());
        Receive<StoresFailed>(OnStoresFailed);
        Receive<OutboundReady>(_ => { _waitingOutbound = false; Pump(); });
        Receive<PumpAgain>(_ => Pump());
        Receive<CloseRequested>(_ => BeginClose(DeclineReason.Closed, "closed by its user"));
        Receive<ShutdownChannel>(_ => BeginClose(DeclineReason.ShuttingDown, "node shutting down"));
        Receive<CloseTimedOut>(_ => Finish(null));
        Receive<FailoverDeadline>(d => { if (_state == State.FailingOver && d.Epoch == _epoch) { Fail($"no ISM path to peer {_key.Peer} remains", DeclineReason.Timeout); } });
        Receive<ReportTick>(_ => Report());
    }

    private enum State
    {
        Negotiating,
        Open,
        FailingOver,
        Closing,
        Ended,
    }

    private enum Purpose
    {
        None,
        Offer,
        Accept,
        Resume,
        ResumeAccept,
    }

    private string Id => $"{_initiatorGid:x16}/{_key.Number}";

    private ulong EndpointId => (_initiatorGid << 24) ^ _key.Number;

    protected override void PreStart()
    {
        Timers.StartPeriodicTimer("report", ReportTick.Instance, TimeSpan.FromMilliseconds(500));
        if (_key.LocalInitiator)
        {
            TryNegotiate(Purpose.Offer);
        }
        else
        {
            _candidate = _offerRoute;
            _purpose = Purpose.Accept;
            _candidate!.Device.Tell(new RegisterDmb(Self, _settings.ChannelDmbSize, _candidate.PeerGid));
        }
    }

    protected override void PostStop()
    {
        _endpoint?.Dispose();
        if (_state != State.Ended)
        {
            _user?.Finish(_endReason ?? "the channel actor stopped");
            _opener?.Tell(new ChannelOpenFailed(_endReason ?? "the channel actor stopped"));
        }
    }

    // ---- negotiation ---------------------------------------------------------------------------------------------

    private ChannelRoute? PickRoute()
    {
        // A function that failed is no route for any GID until it comes back; spread channels over the rest.
        var usable = _routes
            .Where(r => !_failedRoutes.Contains((r.Fid, r.PeerGid)) && !_failedFunctions.Contains(r.Fid))
            .OrderBy(r => r.Fid).ThenBy(r => r.PeerGid)
            .ToList();
        return usable.Count == 0 ? null : usable[(int)(_key.Number % (uint)usable.Count)];
    }

    private void TryNegotiate(Purpose purpose)
    {
        _purpose = purpose;
        _candidate = PickRoute();
        if (_candidate is null)
        {
            if (purpose == Purpose.Offer)
            {
                FailOpen($"no ISM path to peer {_key.Peer}: no local function reaches any of its GIDs");
            }
            else
            {
                // Wait for a route to come back (a function restarted) until the failover deadline.
                _log.LogWarning("channel {Channel} to {Peer}: no route for failover yet", Id, _key.Peer);
            }

            return;
        }

        _granted = null;
        _candidate.Device.Tell(new RegisterDmb(Self, _settings.ChannelDmbSize, _candidate.PeerGid));
        Timers.StartSingleTimer("negotiation", new NegotiationTimedOut(_attempt, _epoch), _settings.NegotiationTimeout);
    }

    private void OnGranted(DmbGranted granted)
    {
        if (_candidate is null || !granted.Device.Equals(_candidate.Device) || granted.Dmb.RemoteGid.Value != _candidate.PeerGid || _purpose == Purpose.None || _granted is not null)
        {
            granted.Device.Tell(new ReleaseDmb(granted.Dmb.Token)); // a late answer to an abandoned attempt
            return;
        }

        _granted = granted;
        var sizeLog2 = (byte)System.Numerics.BitOperations.Log2((uint)_settings.ChannelDmbSize);
        var tokenIndex = (ushort)(granted.Dmb.Token.Value >> 32);
        switch (_purpose)
        {
            case Purpose.Offer:
                _initiatorGid = _candidate.LocalGid;
                _attempt = 0;
                SendNegotiation(NegotiationKind.Offer, tokenIndex, sizeLog2, DeclineReason.None);
                break;
            case Purpose.Resume:
                _attempt = 0;
                SendNegotiation(NegotiationKind.Resume, tokenIndex, sizeLog2, DeclineReason.None);
                break;
            case Purpose.Accept:
                SendNegotiation(NegotiationKind.Accept, tokenIndex, sizeLog2, DeclineReason.None);
                OpenOn(_candidate, granted, _offer!.Value.Token, _offer.Value.DmbSize);
                _node.Tell(new ChannelAccepted(_user!));
                break;
            case Purpose.ResumeAccept:
                SendNegotiation(NegotiationKind.ResumeAccept, tokenIndex, sizeLog2, DeclineReason.None);
                _acceptedEpoch = _epoch;
                SwitchTo(_candidate, granted, _offer!.Value.Token, _offer.Value.DmbSize);
                break;
            default:
                break;
        }
    }

    private void SendNegotiation(NegotiationKind kind, ushort tokenIndex, byte sizeLog2, DeclineReason reason)
    {
        var route = _candidate ?? _path?.Route;
        if (route is null)
        {
            return;
        }

        var (code, info) = new NegotiationMessage(kind, _key.Number, _key.LocalInitiator, tokenIndex, sizeLog2, reason, (ushort)(_epoch & 0x7FFF)).Encode();
        route.Device.Tell(new SendEvent(route.PeerGid, code, info));
        if (kind is NegotiationKind.Offer or NegotiationKind.Resume)
        {
            Timers.StartSingleTimer("negotiation", new NegotiationTimedOut(_attempt, _epoch), _settings.NegotiationTimeout);
        }
    }

    private void OnEventSent(EventSent sent)
    {
        if (sent.Ok || !NegotiationMessage.IsNegotiation(sent.Code))
        {
            return;
        }

        var kind = (NegotiationKind)(sent.Code & 0xFF);
        if (kind is NegotiationKind.Offer or NegotiationKind.Resume && _candidate is not null)
        {
            // The peer's GID is not reachable on that route: try another.
            _failedRoutes.Add((_candidate.Fid, _candidate.PeerGid));
            ReleaseGranted();
            Timers.Cancel("negotiation");
            TryNegotiate(kind == NegotiationKind.Offer ? Purpose.Offer : Purpose.Resume);
        }
    }

    private void OnTimeout(NegotiationTimedOut timeout)
    {
        if (timeout.Epoch != _epoch || _purpose is not (Purpose.Offer or Purpose.Resume))
        {
            return;
        }

        if (_granted is null)
        {
            // The device did not even answer the DMB request (it died meanwhile): try another route.
            if (_candidate is not null)
            {
                _failedFunctions.Add(_candidate.Fid);
            }

            TryNegotiate(_purpose);
            return;
        }

        if (++_attempt < _settings.NegotiationAttempts)
        {
            _log.LogDebug("channel {Channel}: {Purpose} unanswered, attempt {Attempt}", Id, _purpose, _attempt + 1);
            SendNegotiation(_purpose == Purpose.Offer ? NegotiationKind.Offer : NegotiationKind.Resume,
                (ushort)(_granted.Dmb.Token.Value >> 32), (byte)System.Numerics.BitOperations.Log2((uint)_settings.ChannelDmbSize), DeclineReason.None);
            return;
        }

        if (_purpose == Purpose.Offer)
        {
            ReleaseGranted();
            FailOpen($"peer {_key.Peer} did not answer the channel offer ({_settings.NegotiationAttempts} attempts, {_settings.NegotiationTimeout.TotalMilliseconds:0} ms each)");
        }
        else
        {
            _failedRoutes.Add((_candidate!.Fid, _candidate.PeerGid));
            ReleaseGranted();
            TryNegotiate(Purpose.Resume);
        }
    }

    private void OnNegotiation(Negotiation n)
    {
        var m = n.Message;
        switch (m.Kind)
        {
            case NegotiationKind.Accept when _purpose == Purpose.Offer && _granted is not null:
                Timers.Cancel("negotiation");
                OpenOn(_candidate!, _granted, m.Token, m.DmbSize);
                _opener?.Tell(_user!);
                _opener = null;
                break;
            case NegotiationKind.Decline when _purpose == Purpose.Offer:
                Timers.Cancel("negotiation");
                ReleaseGranted();
                FailOpen($"peer {_key.Peer} declined the channel: {m.Reason}");
                break;
            case NegotiationKind.ResumeAccept when _purpose == Purpose.Resume && _granted is not null && (m.Epoch & 0x7FFF) == (_epoch & 0x7FFF):
                Timers.Cancel("negotiation");
                SwitchTo(_candidate!, _granted, m.Token, m.DmbSize);
                break;
            case NegotiationKind.Resume when !_key.LocalInitiator && _acceptedEpoch == m.Epoch && _path is not null:
                // A retry of a resume we already answered (our answer was slow or lost): answer the same again.
                _log.LogDebug("channel {Channel}: resume for epoch {Epoch} again; answering as before", Id, m.Epoch);
                SendNegotiation(NegotiationKind.ResumeAccept, (ushort)(_path.LocalDmb.Token.Value >> 32),
                    (byte)System.Numerics.BitOperations.Log2((uint)_path.LocalDmb.Length), DeclineReason.None);
                break;
            case NegotiationKind.Resume when !_key.LocalInitiator && _purpose == Purpose.ResumeAccept && (m.Epoch & 0x7FFF) == (_epoch & 0x7FFF):
                break; // already registering the DMB for this resume
            case NegotiationKind.Resume when !_key.LocalInitiator && _state is State.Open or State.FailingOver:
                // The initiator moves the channel: answer on the function the resume arrived on.
                var route = _routes.FirstOrDefault(r => r.Fid == n.ViaFid && r.PeerGid == n.FromGid)
                    ?? (n.Route is not null ? n.Route : null);
                if (route is null)
                {
                    _log.LogWarning("channel {Channel}: resume over function 0x{Fid:x} from 0x{Gid:x16}, which is no route of ours", Id, n.ViaFid, n.FromGid);
                    return;
                }

                _epoch = m.Epoch;
                _offer = m;
                _candidate = route;
                _purpose = Purpose.ResumeAccept;
                _state = State.FailingOver;
                route.Device.Tell(new RegisterDmb(Self, _settings.ChannelDmbSize, route.PeerGid));
                break;
            case NegotiationKind.Close:
                OnPeerClose(m.Reason);
                break;
            default:
                _log.LogDebug("channel {Channel}: ignoring {Kind} in state {State}", Id, m.Kind, _state);
                break;
        }
    }

    private void OnNegotiationProblem(string problem, DeclineReason reason)
    {
        if (_purpose == Purpose.Accept)
        {
            SendNegotiation(NegotiationKind.Decline, 0, 0, reason);
            _endReason = problem;
            _state = State.Ended;
            Context.Stop(Self);
        }
        else if (_purpose == Purpose.Offer)
        {
            _failedRoutes.Add((_candidate!.Fid, _candidate.PeerGid));
            TryNegotiate(Purpose.Offer);
        }
        else if (_purpose is Purpose.Resume)
        {
            _failedRoutes.Add((_candidate!.Fid, _candidate.PeerGid));
            TryNegotiate(Purpose.Resume);
        }
        else
        {
            _log.LogWarning("channel {Channel}: {Problem}", Id, problem);
        }
    }

    private void ReleaseGranted()
    {
        if (_granted is not null)
        {
            _granted.Device.Tell(new ReleaseDmb(_granted.Dmb.Token));
            _granted = null;
        }
    }

    private void FailOpen(string reason)
    {
        _endReason = reason;
        _opener?.Tell(new ChannelOpenFailed(reason));
        _opener = null;
        _state = State.Ended;
        Report();
        Context.Stop(Self);
    }

    // ---- open: the data path -------------------------------------------------------------------------------------

    private void OpenOn(ChannelRoute route, DmbGranted granted, DmbToken remote, int remoteSize)
    {
        _path = new DeviceStorePath(route, granted.Dmb, remote, remoteSize);
        _granted = null;
        _purpose = Purpose.None;
        _endpoint = new ChannelEndpoint(EndpointId, _path);
        _user = new FabricChannel(Id, _key.Peer, _endpoint.MaxMessage, Self);
        _state = State.Open;
        _pathFirstBatch = _batch + 1;
        _log.LogInformation("channel {Channel} to {Peer} open over function 0x{Fid:x} (CHID 0x{Chid:x4})", Id, _key.Peer, route.Fid, route.Chid);
        Report();
        Pump();
    }

    private void Pump()
    {
        if (_state != State.Open || _endpoint is null || _path is null || _user is null)
        {
            return;
        }

        try
        {
            var reader = _user.Outbound.Reader;
            if (_user.Inbound.Reader.Count < InboundHighWater)
            {
                _endpoint.Read(m => _user.Inbound.Writer.TryWrite(m.ToArray()));
            }
            else
            {
                Timers.StartSingleTimer("inbound", PumpAgain.Instance, TimeSpan.FromMilliseconds(1));
            }

            var blocked = _endpoint.PendingPlacement > 0;
            while (_inflight < MaxInflightBatches && reader.TryPeek(out var message))
            {
                if (!_endpoint.TryWrite(message))
                {
                    blocked = true;
                    break;
                }

                reader.TryRead(out _);
            }

            _endpoint.Flush();
            var again = !_endpoint.PrepareToWait(forData: true, forSpace: blocked);
            Dispatch();
            if (_endpoint.PeerClosing)
            {
                Self.Tell(new Negotiation(new NegotiationMessage(NegotiationKind.Close, _key.Number, !_key.LocalInitiator, 0, 0, DeclineReason.Closed, 0), 0, 0, null));
                return;
            }

            if (again)
            {
                Self.Tell(PumpAgain.Instance);
            }

            if (_closeRequested is { } reason && reader.Count == 0 && _endpoint.PendingPlacement == 0 && _inflight == 0)
            {
                FinalizeClose(reason);
                return;
            }

            if (!blocked && !_waitingOutbound && reader.Count == 0 && !reader.Completion.IsCompleted)
            {
                _waitingOutbound = true;
                reader.WaitToReadAsync().AsTask().PipeTo(Self, success: _ => OutboundReady.Instance, failure: _ => OutboundReady.Instance);
            }
        }
        catch (ChannelProtocolException e)
        {
            _log.LogWarning("channel {Channel}: peer {Peer} broke the channel protocol: {Problem}; closing it", Id, _key.Peer, e.Message);
            Fail($"peer {_key.Peer} broke the channel protocol: {e.Message}", DeclineReason.ProtocolError);
        }
    }

    private void Dispatch()
    {
        if (_path is { HasPending: true })
        {
            _path.Dispatch(++_batch, Self);
            _inflight++;
        }
    }

    private void OnStoresDone()
    {
        _inflight = Math.Max(0, _inflight - 1);
        if (_state == State.Open && _endpoint is not null && _endpoint.NudgeIfPeerWaits())
        {
            Dispatch();
        }

        Pump();
    }

    private void OnStoresFailed(StoresFailed failed)
    {
        _inflight = Math.Max(0, _inflight - 1);
        if (failed.Batch >= _pathFirstBatch && _state == State.Open && _path is not null)
        {
            OnPathTrouble(_path.Route.Fid, null, null, $"a move failed: {failed.Reason}");
        }
    }

    // ---- failover ------------------------------------------------------------------------------------------------

    private void OnPathTrouble(uint? fid, ulong? peerGid, DmbToken? token, string reason)
    {
        if (_path is null || _state is not (State.Open or State.FailingOver))
        {
            if (_state == State.Negotiating && _candidate is not null && (fid == _candidate.Fid || peerGid == _candidate.PeerGid))
            {
                _failedRoutes.Add((_candidate.Fid, _candidate.PeerGid));
            }

            return;
        }

        var route = _path.Route;
        var hits = fid == route.Fid || peerGid == route.PeerGid || token == _path.LocalDmb.Token || token == _path.RemoteToken;
        if (!hits || _state == State.FailingOver)
        {
            if (fid is { } f && peerGid is { } g)
            {
                _failedRoutes.Add((f, g));
            }

            return;
        }

        _failedRoutes.Add((route.Fid, route.PeerGid));
        if (fid == route.Fid)
        {
            _failedFunctions.Add(route.Fid);
        }

        _state = State.FailingOver;
        _user!.Notify(ChannelNoticeKind.FailingOver, $"path over function 0x{route.Fid:x} to GID 0x{route.PeerGid:x16} failed: {reason}");
        _log.LogWarning("channel {Channel} to {Peer}: path over function 0x{Fid:x} failed ({Reason}); failing over", Id, _key.Peer, route.Fid, reason);
        var deadline = _settings.NegotiationTimeout * _settings.NegotiationAttempts + _settings.KeepaliveInterval * (_settings.KeepaliveMisses + 1);
        if (_key.LocalInitiator)
        {
            _epoch++;
            Timers.StartSingleTimer("failover", new FailoverDeadline(_epoch), deadline);
            TryNegotiate(Purpose.Resume);
        }
        else
        {
            Timers.StartSingleTimer("failover", new FailoverDeadline(_epoch), deadline + _settings.NegotiationTimeout);
        }

        Report();
    }

    private void OnRoutes(RoutesChanged changed)
    {
        _routes = changed.Routes;

        // A function that came back is usable again.
        _failedRoutes.RemoveWhere(f => changed.Recovered.Contains(f.Fid));
        _failedFunctions.RemoveWhere(changed.Recovered.Contains);

        // Failing over and not yet holding a DMB on a live route: start again with the new routes.
        if (_state == State.FailingOver && _key.LocalInitiator && _granted is null
            && (_candidate is null || !_routes.Any(r => r.Fid == _candidate.Fid && r.Device.Equals(_candidate.Device))))
        {
            TryNegotiate(Purpose.Resume);
        }
    }

    private void SwitchTo(ChannelRoute route, DmbGranted granted, DmbToken remote, int remoteSize)
    {
        var old = _path;
        var path = new DeviceStorePath(route, granted.Dmb, remote, remoteSize);
        _endpoint!.ReplacePath(path, _epoch);
        _path = path;
        _granted = null;
        _purpose = Purpose.None;
        _candidate = null;
        _inflight = 0;
        _pathFirstBatch = _batch + 1;
        _state = State.Open;
        Timers.Cancel("failover");
        if (old is not null && old.LocalDmb.Token != granted.Dmb.Token)
        {
            // The peer writes only the new DMB now (it switched first, or its old function is gone).
            old.Route.Device.Tell(new ReleaseDmb(old.LocalDmb.Token));
        }

        _user!.Notify(ChannelNoticeKind.FailedOver, $"now over function 0x{route.Fid:x} (CHID 0x{route.Chid:x4}) to GID 0x{route.PeerGid:x16}, epoch {_epoch}");
        _log.LogInformation("channel {Channel} to {Peer} failed over to function 0x{Fid:x}, epoch {Epoch}", Id, _key.Peer, route.Fid, _epoch);
        Report();
        Pump();
    }

    // ---- closing -------------------------------------------------------------------------------------------------

    private void BeginClose(DeclineReason reason, string why)
    {
        if (_state is State.Closing or State.Ended || _closeRequested is not null)
        {
            return;
        }

        if (_state is State.Negotiating)
        {
            _endReason = why;
            ReleaseGranted();
            _opener?.Tell(new ChannelOpenFailed(why));
            _opener = null;
            Finish(null);
            return;
        }

        // What the user sent before closing goes first: keep pumping until everything is on the ring, then close.
        _endReason = why;
        _closeRequested = reason;
        _user!.Outbound.Writer.TryComplete();
        Timers.StartSingleTimer("close", CloseTimedOut.Instance, _settings.NegotiationTimeout * 4);
        Pump();
    }

    private void FinalizeClose(DeclineReason reason)
    {
        _endpoint!.Close();
        Dispatch();
        SendNegotiation(NegotiationKind.Close, 0, 0, reason);
        _state = State.Closing;
        Timers.StartSingleTimer("close", CloseTimedOut.Instance, _settings.NegotiationTimeout);
        Report();
    }

    private void OnPeerClose(DeclineReason reason)
    {
        switch (_state)
        {
            case State.Closing:
                Finish(null); // the peer acknowledged our close
                break;
            case State.Open or State.FailingOver:
                if (_state == State.Open)
                {
                    try
                    {
                        _endpoint?.Read(m => _user!.Inbound.Writer.TryWrite(m.ToArray()));
                    }
                    catch (ChannelProtocolException)
                    {
                        // closing anyway
                    }
                }

                SendNegotiation(NegotiationKind.Close, 0, 0, DeclineReason.Closed);
                _endReason = $"closed by peer {_key.Peer} ({reason})";
                Finish(reason is DeclineReason.None or DeclineReason.Closed or DeclineReason.ShuttingDown ? null : _endReason);
                break;
            case State.Negotiating:
                ReleaseGranted();
                FailOpen($"peer {_key.Peer} closed the channel during negotiation ({reason})");
                break;
            default:
                break;
        }
    }

    private void Fail(string reason, DeclineReason code)
    {
        if (_state == State.Ended)
        {
            return;
        }

        SendNegotiation(NegotiationKind.Close, 0, 0, code);
        _endReason = reason;
        Finish(reason);
    }

    private void Finish(string? failure)
    {
        if (_state == State.Ended)
        {
            return;
        }

        _state = State.Ended;
        Timers.Cancel("failover");
        Timers.Cancel("close");
        if (_path is not null)
        {
            _path.Route.Device.Tell(new ReleaseDmb(_path.LocalDmb.Token));
        }

        ReleaseGranted();
        _user?.Finish(failure);
        _log.LogInformation("channel {Channel} to {Peer} ended: {Reason}", Id, _key.Peer, failure ?? _endReason ?? "closed");
        Report();
        Context.Stop(Self);
    }

    private void Report()
    {
        var state = _state switch
        {
            State.Negotiating => "opening",
            State.Open => "open",
            State.FailingOver => "failing-over",
            State.Closing => "closing",
            _ => _endReason is null ? "closed" : "ended",
        };
        _node.Tell(new ChannelReport(_key, new ChannelStatus(
            Id, _key.Peer, state, _path is null ? "-" : $"0x{_path.Route.Fid:x}", _epoch,
            _endpoint?.MessagesSent ?? 0, _endpoint?.MessagesReceived ?? 0, _endpoint?.BytesSent ?? 0, _endpoint?.BytesReceived ?? 0,
            _endReason)));
    }

    /// <summary>A negotiation message for this channel, routed by the node.</summary>
    internal sealed record Negotiation(NegotiationMessage Message, ulong FromGid, uint ViaFid, ChannelRoute? Route);

    /// <summary>The routes to the peer changed; <paramref name="Recovered"/> are functions that came back.</summary>
    internal sealed record RoutesChanged(List<ChannelRoute> Routes, HashSet<uint> Recovered);

    /// <summary>Something broke a function, a peer GID or a DMB; the channel checks whether it is on its path.</summary>
    internal sealed record PathTrouble(uint? Fid, ulong? PeerGid, DmbToken? Token, string Reason);

    /// <summary>The user asked to close.</summary>
    internal sealed class CloseRequested
    {
        internal static readonly CloseRequested Instance = new();
    }

    /// <summary>The node is stopping.</summary>
    internal sealed class ShutdownChannel
    {
        internal static readonly ShutdownChannel Instance = new();
    }

    private sealed record NegotiationTimedOut(int Attempt, uint Epoch);

    private sealed record FailoverDeadline(uint Epoch);

    private sealed class CloseTimedOut
    {
        internal static readonly CloseTimedOut Instance = new();
    }

    private sealed class OutboundReady
    {
        internal static readonly OutboundReady Instance = new();
    }

    private sealed class PumpAgain
    {
        internal static readonly PumpAgain Instance = new();
    }

    private sealed class ReportTick
    {
        internal static readonly ReportTick Instance = new();
    }
}
