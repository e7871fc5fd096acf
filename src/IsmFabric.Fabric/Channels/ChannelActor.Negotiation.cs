using Akka.Actor;
using IsmFabric.Channels;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Ism;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric.Channels;

/// <summary>The in-band negotiation of a channel: offer, accept, decline, resume (docs/channel-protocol.md).</summary>
internal sealed partial class ChannelActor
{
    private readonly HashSet<(uint Fid, Gid PeerGid)> _failedRoutes = [];
    private readonly HashSet<uint> _failedFunctions = [];
    private readonly ChannelRoute? _offerRoute;
    private IReadOnlyList<ChannelRoute> _routes;
    private NegotiationMessage? _offer;
    private Gid _initiatorGid;
    private Purpose _purpose;
    private ChannelRoute? _candidate;
    private DmbAllocated? _granted;
    private int _attempt;
    private long _allocation;
    private uint? _acceptedEpoch;

    private enum Purpose
    {
        None,
        Offer,
        Accept,
        Resume,
        ResumeAccept,
    }

    private static byte SizeLog2(int size) => (byte)System.Numerics.BitOperations.Log2((uint)size);

    private static ushort TokenIndex(DmbToken token) => (ushort)(token.Value >> 32);

    private ChannelRoute? PickRoute()
    {
        // A function that failed is no route for any GID until it comes back; spread channels over the rest.
        var usable = _routes
            .Where(r => !_failedRoutes.Contains((r.Fid, r.PeerGid)) && !_failedFunctions.Contains(r.Fid))
            .OrderBy(r => r.Fid).ThenBy(r => r.PeerGid.Value)
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

        Allocate(_candidate);
        Timers.StartSingleTimer("negotiation", new NegotiationTimedOut(_attempt, _epoch), _settings.NegotiationTimeout);
    }

    private void OnAllocated(DmbAllocated granted)
    {
        var handle = granted.Handle;
        if (granted.Attempt != _allocation || _candidate is null || handle.Fid != _candidate.Fid || handle.RemoteGid != _candidate.PeerGid
            || _purpose == Purpose.None || _granted is not null)
        {
            Free(handle.Token); // a late answer to an abandoned attempt
            return;
        }

        _granted = granted;
        switch (_purpose)
        {
            case Purpose.Offer:
                _initiatorGid = _candidate.LocalGid;
                _attempt = 0;
                SendNegotiation(NegotiationKind.Offer, TokenIndex(handle.Token), SizeLog2(handle.Length), DeclineReason.None);
                break;
            case Purpose.Resume:
                _attempt = 0;
                SendNegotiation(NegotiationKind.Resume, TokenIndex(handle.Token), SizeLog2(handle.Length), DeclineReason.None);
                break;
            case Purpose.Accept:
                SendNegotiation(NegotiationKind.Accept, TokenIndex(handle.Token), SizeLog2(handle.Length), DeclineReason.None);
                OpenOn(_candidate, granted, _offer!.Value.Token, _offer.Value.DmbSize);
                _supervisor.Tell(new ChannelAccepted(_user!));
                break;
            case Purpose.ResumeAccept:
                SendNegotiation(NegotiationKind.ResumeAccept, TokenIndex(handle.Token), SizeLog2(handle.Length), DeclineReason.None);
                _acceptedEpoch = _epoch;
                SwitchTo(_candidate, granted, _offer!.Value.Token, _offer.Value.DmbSize);
                break;
            default:
                break;
        }
    }

    private void OnAllocationFailed(DmbAllocationFailed failed)
    {
        if (failed.Attempt != _allocation)
        {
            return;
        }

        var problem = $"no DMB: {failed.Reason}";
        switch (_purpose)
        {
            case Purpose.Accept:
                SendNegotiation(NegotiationKind.Decline, 0, 0, DeclineReason.NoResources);
                _endReason = problem;
                _state = ChannelState.Ended;
                Report();
                Context.Stop(Self);
                break;
            case Purpose.Offer or Purpose.Resume:
                _failedRoutes.Add((_candidate!.Fid, _candidate.PeerGid));
                TryNegotiate(_purpose);
                break;
            default:
                _log.LogWarning("channel {Channel}: {Problem}", Id, problem);
                break;
        }
    }

    private void ReleaseGranted()
    {
        if (_granted is not null)
        {
            Free(_granted.Handle.Token);
            _granted = null;
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
            // The DMB supervisor did not even answer (the device died meanwhile): try another route.
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
                TokenIndex(_granted.Handle.Token), SizeLog2(_granted.Handle.Length), DeclineReason.None);
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
                SendNegotiation(NegotiationKind.ResumeAccept, TokenIndex(_path.Handle.Token), SizeLog2(_path.Handle.Length), DeclineReason.None);
                break;
            case NegotiationKind.Resume when !_key.LocalInitiator && _purpose == Purpose.ResumeAccept && (m.Epoch & 0x7FFF) == (_epoch & 0x7FFF):
                break; // already allocating the DMB for this resume
            case NegotiationKind.Resume when !_key.LocalInitiator && _state is ChannelState.Open or ChannelState.FailingOver:
                // The initiator moves the channel: answer on the function the resume arrived on.
                var route = _routes.FirstOrDefault(r => r.Fid == n.ViaFid && r.PeerGid == n.FromGid) ?? n.Route;
                if (route is null)
                {
                    _log.LogWarning("channel {Channel}: resume over function 0x{Fid:x} from {Gid}, which is no route of ours", Id, n.ViaFid, n.FromGid);
                    return;
                }

                _epoch = m.Epoch;
                _offer = m;
                _candidate = route;
                _purpose = Purpose.ResumeAccept;
                EnterFailover($"the peer moves the channel to function 0x{route.Fid:x}");
                Allocate(route);
                break;
            case NegotiationKind.Close:
                OnPeerClose(m.Reason);
                break;
            default:
                _log.LogDebug("channel {Channel}: ignoring {Kind} in state {State}", Id, m.Kind, _state);
                break;
        }
    }

    private void FailOpen(string reason)
    {
        _endReason = reason;
        _opener?.Tell(new ChannelOpenFailed(reason));
        _opener = null;
        _state = ChannelState.Ended;
        Report();
        Context.Stop(Self);
    }
}
