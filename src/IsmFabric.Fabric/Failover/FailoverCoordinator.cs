using Akka.Actor;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Ism;

namespace IsmFabric.Fabric.Failover;

/// <summary>
/// Knows which path every channel runs on and which routes reach every peer. When a function goes down, firmware or
/// a peer says a GID or a DMB is gone, it tells exactly the channels on that path to fail over; when the routes to a
/// peer change, it tells that peer's channels, which pick another function reaching the same peer (same CHID).
/// </summary>
internal sealed class FailoverCoordinator : ReceiveActor
{
    private readonly Dictionary<IActorRef, Follower> _channels = [];
    private readonly Dictionary<string, IReadOnlyList<ChannelRoute>> _routes = [];

    public FailoverCoordinator()
    {
        Receive<FollowRoutes>(OnFollow);
        Receive<PathInUse>(p =>
        {
            if (_channels.TryGetValue(Sender, out var f))
            {
                f.Path = p;
            }
        });
        Receive<PeerRoutes>(OnRoutes);
        Receive<DeviceDown>(d => Tell(p => p.Fid == d.Function.Fid, new PathTrouble($"function 0x{d.Function.Fid:x} went down: {d.Reason}", d.Function.Fid, null)));
        Receive<GidDown>(g => Tell(p => p.PeerGid == g.Gid, new PathTrouble($"GID {g.Gid}: {g.Reason}", null, g.Gid)));
        Receive<DmbTrouble>(t => Tell(p => p.Local == t.Token || p.Remote == t.Token, new PathTrouble($"DMB {t.Token}: {t.Reason}", null, null, t.Token)));
        Receive<Terminated>(t => _channels.Remove(t.ActorRef));
    }

    private void OnFollow(FollowRoutes follow)
    {
        _channels[Sender] = new Follower(follow.Peer);
        Context.Watch(Sender);
        if (_routes.TryGetValue(follow.Peer, out var routes))
        {
            Sender.Tell(new RoutesChanged(routes, new HashSet<uint>()));
        }
    }

    private void OnRoutes(PeerRoutes update)
    {
        var before = _routes.GetValueOrDefault(update.Peer)?.Select(r => r.Fid).ToHashSet() ?? [];
        _routes[update.Peer] = update.Routes;
        if (update.Quiet)
        {
            return;
        }

        var recovered = update.Routes.Select(r => r.Fid).Where(f => !before.Contains(f)).ToHashSet();
        foreach (var (channel, follower) in _channels)
        {
            if (follower.Peer == update.Peer)
            {
                channel.Tell(new RoutesChanged(update.Routes, recovered));
            }
        }
    }

    private void Tell(Func<PathInUse, bool> concerned, PathTrouble trouble)
    {
        foreach (var (channel, follower) in _channels)
        {
            if (follower.Path is { } path && concerned(path))
            {
                channel.Tell(trouble);
            }
        }
    }

    private sealed class Follower(string peer)
    {
        public string Peer { get; } = peer;

        public PathInUse? Path { get; set; }
    }
}
