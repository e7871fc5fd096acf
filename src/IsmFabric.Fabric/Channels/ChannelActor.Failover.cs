using Akka.Actor;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Ism;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric.Channels;

/// <summary>Failover: a broken path is replaced by another route to the same peer, losing and repeating nothing.</summary>
internal sealed partial class ChannelActor
{
    private void OnPathFailed(PathFailed failed)
    {
        if (_path is null || failed.Epoch != _epoch)
        {
            return;
        }

        _path.Route.Device.Tell(new CheckHealth($"a move to {_path.Route.PeerGid} failed"));
        OnPathTrouble($"a move failed: {failed.Reason}", _path.Route.Fid, null);
    }

    private void OnPathTrouble(string reason, uint? fid, Gid? peerGid, DmbToken? token = null)
    {
        if (_path is null || _state is not (ChannelState.Open or ChannelState.FailingOver))
        {
            if (_state == ChannelState.Opening && _candidate is not null && (fid == _candidate.Fid || peerGid == _candidate.PeerGid))
            {
                _failedRoutes.Add((_candidate.Fid, _candidate.PeerGid));
            }

            return;
        }

        var route = _path.Route;
        if (fid is { } f && peerGid is { } g)
        {
            _failedRoutes.Add((f, g));
        }

        // The coordinator's view of our path can be a step behind (we just moved): trouble elsewhere only marks a route.
        var concernsPath = fid == route.Fid || peerGid == route.PeerGid || token == _path.Handle.Token || token == _path.Remote
            || (fid is null && peerGid is null && token is null);
        if (!concernsPath)
        {
            if (fid is { } failedFid && peerGid is null)
            {
                _failedFunctions.Add(failedFid);
            }

            return;
        }

        if (_state == ChannelState.FailingOver)
        {
            return;
        }

        _failedRoutes.Add((route.Fid, route.PeerGid));
        if (fid == route.Fid)
        {
            _failedFunctions.Add(route.Fid);
        }

        EnterFailover($"path over function 0x{route.Fid:x} to {route.PeerGid} failed: {reason}");
        if (_key.LocalInitiator)
        {
            _epoch++;
            Timers.StartSingleTimer("failover", new FailoverDeadline(_epoch), FailoverDeadlineSpan);
            TryNegotiate(Purpose.Resume);
        }
    }

    private TimeSpan FailoverDeadlineSpan =>
        (_settings.NegotiationTimeout * _settings.NegotiationAttempts) + (_settings.KeepaliveInterval * (_settings.KeepaliveMisses + 1));

    private void EnterFailover(string why)
    {
        if (_state == ChannelState.FailingOver)
        {
            return;
        }

        _state = ChannelState.FailingOver;
        _user?.Notify(ChannelNoticeKind.FailingOver, why);
        _log.LogWarning("channel {Channel} to {Peer}: {Why}; failing over", Id, _key.Peer, why);
        if (!_key.LocalInitiator)
        {
            Timers.StartSingleTimer("failover", new FailoverDeadline(_epoch), FailoverDeadlineSpan + _settings.NegotiationTimeout);
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
        if (_state == ChannelState.FailingOver && _key.LocalInitiator && _granted is null
            && (_candidate is null || !_routes.Any(r => r.Fid == _candidate.Fid && r.Device.Equals(_candidate.Device))))
        {
            TryNegotiate(Purpose.Resume);
        }
    }

    private void SwitchTo(ChannelRoute route, DmbAllocated granted, DmbToken remote, int remoteSize)
    {
        var path = new DevicePath(route, granted.Handle, remote, remoteSize);
        DevicePath old;
        try
        {
            old = _plane!.ReplacePath(path, _epoch);
        }
        catch (ChannelClosedException e)
        {
            // The new DMB's device went away before we moved onto it: keep failing over.
            _log.LogWarning("channel {Channel}: {Problem}", Id, e.Message);
            _granted = null;
            _failedFunctions.Add(route.Fid);
            if (_key.LocalInitiator)
            {
                TryNegotiate(Purpose.Resume);
            }

            return;
        }

        _path = path;
        _granted = null;
        _purpose = Purpose.None;
        _candidate = null;
        _state = ChannelState.Open;
        Timers.Cancel("failover");
        if (old.Handle.Token != granted.Handle.Token)
        {
            Free(old.Handle.Token); // the peer writes only the new DMB now (it switched first, or its old function is gone)
        }

        _failover.Tell(new PathInUse(route.Fid, route.PeerGid, granted.Handle.Token, remote));
        _user!.Notify(ChannelNoticeKind.FailedOver, $"now over function 0x{route.Fid:x} (CHID {route.Chid}) to {route.PeerGid}, epoch {_epoch}");
        _log.LogInformation("channel {Channel} to {Peer} failed over to function 0x{Fid:x}, epoch {Epoch}", Id, _key.Peer, route.Fid, _epoch);
        Report();
    }
}
