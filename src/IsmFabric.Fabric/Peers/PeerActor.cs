using Akka.Actor;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Ism;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric.Peers;

/// <summary>
/// One configured peer LPAR: finds which local function reaches each of its GIDs (QUERY_RGID), probes them with
/// test-link keepalives, and tells the node which routes are up. A GID that misses its keepalives, or that
/// firmware reports disabled, is down at once.
/// </summary>
internal sealed class PeerActor : ReceiveActor, IWithTimers
{
    /// <summary>The actor's timers (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    private readonly PeerDefinition _peer;
    private readonly FabricNodeSettings _settings;
    private readonly IActorRef _node;
    private readonly ILogger _log;
    private readonly Dictionary<Gid, GidState> _gids;
    private IReadOnlyList<DeviceUp> _devices = [];
    private uint _sequence;

    public PeerActor(PeerDefinition peer, FabricNodeSettings settings, IActorRef node, ILogger log)
    {
        _peer = peer;
        _settings = settings;
        _node = node;
        _log = log;
        _gids = peer.Gids.ToDictionary(g => new Gid(g), _ => new GidState());

        Receive<DevicesChanged>(d => { _devices = d.Devices; Probe(); });
        Receive<RemoteAnswer>(OnRemoteAnswer);
        Receive<KeepaliveTick>(_ => Keepalive());
        Receive<KeepaliveAnswer>(OnAnswer);
        Receive<GidDown>(d => MarkDown(d.Gid, d.Reason));
        Receive<EventSent>(s => { if (!s.Ok) { MarkDown(s.Target, $"test-link could not be sent: {s.Error}"); } });
    }

    protected override void PreStart() => Timers.StartPeriodicTimer("keepalive", KeepaliveTick.Instance, _settings.KeepaliveInterval);

    /// <summary>Drops routes over devices that went away, and asks every other local device whether it reaches each GID.</summary>
    private void Probe()
    {
        var changed = false;
        foreach (var (gid, state) in _gids)
        {
            foreach (var fid in state.Routes.Keys.Where(f => !_devices.Any(d => d.Function.Fid == f && d.Device.Equals(state.Routes[f].Device))).ToList())
            {
                state.Routes.Remove(fid);
                changed = true;
                if (state.Routes.Count == 0 && state.Up)
                {
                    state.Up = false;
                    state.Outstanding = 0;
                    _log.LogWarning("peer {Peer}: GID {Gid} down: its local function went away", _peer.Name, gid);
                }
            }

            foreach (var device in _devices.Where(d => !state.Routes.ContainsKey(d.Function.Fid)))
            {
                device.Device.Tell(new QueryRemote(gid));
            }
        }

        if (changed)
        {
            Publish();
        }
    }

    private void OnRemoteAnswer(RemoteAnswer answer)
    {
        if (!answer.Reachable || !_gids.TryGetValue(answer.Gid, out var state))
        {
            return;
        }

        var device = _devices.FirstOrDefault(d => d.Device.Equals(Sender));
        if (device is null || state.Routes.ContainsKey(device.Function.Fid))
        {
            return;
        }

        state.Routes[device.Function.Fid] = new ChannelRoute(device.Function.Fid, device.Device, device.Gid, device.Chid, answer.Gid);
        if (!state.Up)
        {
            state.Up = true;
            state.Misses = 0;
            state.Outstanding = 0;
        }

        _log.LogInformation("peer {Peer}: GID {Gid} reachable over function 0x{Fid:x}", _peer.Name, answer.Gid, device.Function.Fid);
        Publish();
    }

    private void Keepalive()
    {
        var probe = false;
        foreach (var (gid, state) in _gids)
        {
            if (state.Routes.Count == 0)
            {
                probe = true;
                continue;
            }

            if (state.Outstanding != 0 && ++state.Misses >= _settings.KeepaliveMisses)
            {
                MarkDown(gid, $"{state.Misses} keepalives unanswered");
                probe = true;
                continue;
            }

            var seq = ++_sequence;
            state.Outstanding = seq;
            state.SentAt = System.Diagnostics.Stopwatch.GetTimestamp();
            var info = new TestLinkInfo(seq, 0, TestLinkInfo.Request).Encode();
            state.Routes.Values.First().Device.Tell(new SendEvent(gid, IsmEventCode.TestLink, info));
        }

        if (probe)
        {
            Probe();
        }
    }

    private void OnAnswer(KeepaliveAnswer answer)
    {
        if (!_gids.TryGetValue(answer.Gid, out var state) || state.Outstanding != answer.Sequence)
        {
            return;
        }

        state.Rtt = System.Diagnostics.Stopwatch.GetElapsedTime(state.SentAt).TotalMicroseconds;
        state.Outstanding = 0;
        state.Misses = 0;
        state.LastSeen = DateTimeOffset.UtcNow;
        if (!state.Up && state.Routes.Count > 0)
        {
            state.Up = true;
            Publish();
        }
        else
        {
            Publish(quiet: true);
        }
    }

    private void MarkDown(Gid gid, string reason)
    {
        if (!_gids.TryGetValue(gid, out var state) || (state.Routes.Count == 0 && !state.Up))
        {
            return;
        }

        _log.LogWarning("peer {Peer}: GID {Gid} down: {Reason}", _peer.Name, gid, reason);
        state.Up = false;
        state.Routes.Clear();
        state.Outstanding = 0;
        state.Misses = 0;
        Publish();
    }

    private void Publish(bool quiet = false)
    {
        var routes = _gids.Where(g => g.Value.Up).SelectMany(g => g.Value.Routes.Values).ToList();
        var lastSeen = _gids.Values.Max(g => g.LastSeen);
        var rtt = _gids.Values.Where(g => g.Up && g.Rtt.HasValue).Select(g => g.Rtt!.Value).DefaultIfEmpty().Min();
        _node.Tell(new PeerRoutes(_peer.Name, routes, lastSeen, routes.Count > 0 && rtt > 0 ? Math.Round(rtt, 1) : null, quiet));
    }

    private sealed class GidState
    {
        public Dictionary<uint, ChannelRoute> Routes { get; } = [];

        public bool Up { get; set; }

        public uint Outstanding { get; set; }

        public long SentAt { get; set; }

        public int Misses { get; set; }

        public DateTimeOffset? LastSeen { get; set; }

        public double? Rtt { get; set; }
    }

    private sealed class KeepaliveTick
    {
        internal static readonly KeepaliveTick Instance = new();
    }
}
