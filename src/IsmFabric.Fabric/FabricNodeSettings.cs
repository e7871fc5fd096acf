namespace IsmFabric.Fabric;

/// <summary>
/// Everything a fabric node needs to know besides its devices: its name, its peers (named with their GIDs, since
/// ISM has no discovery before the cluster work), and the timings of keepalive, negotiation and restarts. Built
/// from configuration and validated at start-up.
/// </summary>
public sealed record FabricNodeSettings
{
    /// <summary>The node's name (the LPAR name by default).</summary>
    public required string NodeName { get; init; }

    /// <summary>The peers this node may open channels with.</summary>
    public IReadOnlyList<PeerDefinition> Peers { get; init; } = [];

    /// <summary>How often a peer is probed with a test-link. Default 250 ms.</summary>
    public TimeSpan KeepaliveInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Unanswered keepalives after which a peer is down. Default 3.</summary>
    public int KeepaliveMisses { get; init; } = 3;

    /// <summary>Size of each channel DMB (a power of two, 16 KiB .. 1 MiB). Default 1 MiB: a ring that holds many messages rides out the wake-up latency of the peer.</summary>
    public int ChannelDmbSize { get; init; } = 1024 * 1024;

    /// <summary>How long an offer waits for its answer. Default 1 s.</summary>
    public TimeSpan NegotiationTimeout { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many times an offer is made before the open fails. Default 3.</summary>
    public int NegotiationAttempts { get; init; } = 3;

    /// <summary>The most DMBs one owner (a channel, a service) may hold. Default 16.</summary>
    public int DmbQuotaPerOwner { get; init; } = 16;

    /// <summary>First delay before a failed device is brought up again. Default 100 ms.</summary>
    public TimeSpan DeviceRestartMinBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Longest delay between attempts to bring a failed device up. Default 5 s.</summary>
    public TimeSpan DeviceRestartMaxBackoff { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an idle device waits for an interrupt before polling anyway (lost interrupts). Default 50 ms.</summary>
    public TimeSpan InterruptPollInterval { get; init; } = TimeSpan.FromMilliseconds(50);

    /// <summary>The most channels one peer may have open with this node at once (offers beyond are declined). Default 64.</summary>
    public int MaxChannelsPerPeer { get; init; } = 64;

    /// <summary>How long a channel a peer opened waits for a local service to claim it before it is closed. Default 10 s.</summary>
    public TimeSpan ChannelClaimTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a channel's reader spins, looking for the next message, before it sleeps on the interrupt. Default 20 µs; zero never spins.</summary>
    public TimeSpan ReadSpin { get; init; } = TimeSpan.FromMicroseconds(20);

    /// <summary>How long the ordered stop may take (half for closing channels, half for releasing devices). Default 10 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Throws an <see cref="ArgumentException"/> naming the first invalid setting and what is accepted.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(NodeName))
        {
            throw new ArgumentException("NodeName: must not be empty");
        }

        if (KeepaliveInterval < TimeSpan.FromMilliseconds(10) || KeepaliveInterval > TimeSpan.FromMinutes(1))
        {
            throw new ArgumentException($"KeepaliveInterval: {KeepaliveInterval} is outside 10 ms .. 1 min");
        }

        if (KeepaliveMisses is < 1 or > 100)
        {
            throw new ArgumentException($"KeepaliveMisses: {KeepaliveMisses} is outside 1 .. 100");
        }

        if (ChannelDmbSize is < 16 * 1024 or > 1024 * 1024 || (ChannelDmbSize & (ChannelDmbSize - 1)) != 0)
        {
            throw new ArgumentException($"ChannelDmbSize: {ChannelDmbSize} must be a power of two from 16384 to 1048576");
        }

        if (NegotiationTimeout <= TimeSpan.Zero || NegotiationAttempts is < 1 or > 100)
        {
            throw new ArgumentException("NegotiationTimeout must be positive and NegotiationAttempts 1 .. 100");
        }

        if (DmbQuotaPerOwner is < 2 or > 1888)
        {
            throw new ArgumentException($"DmbQuotaPerOwner: {DmbQuotaPerOwner} is outside 2 .. 1888");
        }

        if (DeviceRestartMinBackoff <= TimeSpan.Zero || DeviceRestartMaxBackoff < DeviceRestartMinBackoff)
        {
            throw new ArgumentException("DeviceRestartMinBackoff must be positive and not above DeviceRestartMaxBackoff");
        }

        if (InterruptPollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException($"InterruptPollInterval: {InterruptPollInterval} must be positive");
        }

        if (ShutdownTimeout < TimeSpan.FromMilliseconds(100))
        {
            throw new ArgumentException($"ShutdownTimeout: {ShutdownTimeout} is below 100 ms");
        }

        if (MaxChannelsPerPeer is < 1 or > 1888)
        {
            throw new ArgumentException($"MaxChannelsPerPeer: {MaxChannelsPerPeer} is outside 1 .. 1888");
        }

        if (ChannelClaimTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentException($"ChannelClaimTimeout: {ChannelClaimTimeout} must be positive");
        }

        if (ReadSpin < TimeSpan.Zero || ReadSpin > TimeSpan.FromMilliseconds(10))
        {
            throw new ArgumentException($"ReadSpin: {ReadSpin} is outside 0 .. 10 ms");
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        var gids = new HashSet<ulong>();
        foreach (var peer in Peers)
        {
            if (string.IsNullOrWhiteSpace(peer.Name) || !names.Add(peer.Name))
            {
                throw new ArgumentException($"Peers: the name '{peer.Name}' is empty or appears twice");
            }

            if (peer.Gids.Count == 0 || peer.Gids.Any(g => g == 0 || !gids.Add(g)))
            {
                throw new ArgumentException($"Peers: peer '{peer.Name}' needs one or more non-zero GIDs, none shared with another peer");
            }
        }
    }
}
