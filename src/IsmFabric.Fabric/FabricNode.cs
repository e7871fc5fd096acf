using IsmFabric.Actors;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Persistence;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric;

/// <summary>
/// A running fabric node: the actor system with its device supervisor, device actors, peer actors and channels,
/// answering operator queries and opening channels for services. Start it with <see cref="StartAsync"/>, stop it
/// with <see cref="StopAsync"/>: channels closed with shutdown events to peers, DMBs unregistered, functions released.
/// </summary>
public sealed class FabricNode : IFabricNodeQueries, IAsyncDisposable
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);
    private readonly ActorSystem _system;
    private readonly IActorRef _node;
    private readonly ILogger _log;
    private int _stopped;

    private FabricNode(FabricNodeSettings settings, ActorSystem system, IActorRef node, ILogger log, System.Threading.Channels.Channel<IFabricChannel> accepted)
    {
        AcceptQueue = accepted;
        Settings = settings;
        _system = system;
        _node = node;
        _log = log;
    }

    /// <summary>The settings the node runs with.</summary>
    public FabricNodeSettings Settings { get; }

    /// <summary>
    /// Validates <paramref name="settings"/>, starts the actor system and the node's actors, and returns once the
    /// devices were discovered (bringing them up goes on in the background, with retries).
    /// </summary>
    public static async Task<FabricNode> StartAsync(
        FabricNodeSettings settings, IDeviceProvider devices, FabricPersistence? persistence, ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        settings.Validate();
        var system = ActorSystem.Create($"node-{Sanitize(settings.NodeName)}", new ActorSystemSettings { LoggerFactory = loggerFactory });
        if (persistence is not null)
        {
            PersistenceExtension.Register(system, persistence.Journal, persistence.Snapshots, ChannelLedger.EventTypes());
        }

        var log = loggerFactory.CreateLogger("IsmFabric.Fabric.Node");
        var accepted = System.Threading.Channels.Channel.CreateUnbounded<IFabricChannel>();
        var node = system.ActorOf(Props.Create(() => new NodeActor(settings, devices, persistence is not null, loggerFactory, accepted.Writer)), "node");
        try
        {
            await node.Ask<NodeActor.Started>(NodeActor.Start.Instance, TimeSpan.FromSeconds(30), cancellationToken);
        }
        catch
        {
            await system.Terminate(TimeSpan.FromSeconds(5));
            throw;
        }

        log.LogInformation("fabric node {Node} started with {Peers} configured peers", settings.NodeName, settings.Peers.Count);
        return new FabricNode(settings, system, node, log, accepted);
    }

    private static string Sanitize(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-').ToArray());

    /// <summary>Opens a channel to <paramref name="peer"/> (a configured peer name), negotiated in-band over ISM.</summary>
    public async Task<IFabricChannel> OpenChannelAsync(string peer, CancellationToken cancellationToken)
    {
        var result = await _node.Ask<object>(new NodeActor.OpenChannel(peer), Settings.NegotiationTimeout * (Settings.NegotiationAttempts + 1) + TimeSpan.FromSeconds(5), cancellationToken);
        return result switch
        {
            FabricChannel channel => channel,
            ChannelOpenFailed failed => throw new ChannelClosedException(failed.Reason),
            _ => throw new InvalidOperationException($"unexpected answer {result}"),
        };
    }

    /// <summary>Completes when the node's actor system has terminated, whether by <see cref="StopAsync"/> or on its own.</summary>
    public Task Terminated => _system.WhenTerminated;

    /// <summary>Channels peers opened to this node; read them to serve them.</summary>
    public System.Threading.Channels.ChannelReader<IFabricChannel> AcceptedChannels => AcceptQueue.Reader;

    internal System.Threading.Channels.Channel<IFabricChannel> AcceptQueue { get; }

    /// <inheritdoc />
    public Task<NodeStatus> GetStatusAsync(CancellationToken cancellationToken) =>
        _node.Ask<NodeStatus>(NodeActor.GetStatus.Instance, QueryTimeout, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<DeviceStatus>> GetDevicesAsync(CancellationToken cancellationToken) =>
        _node.Ask<IReadOnlyList<DeviceStatus>>(NodeActor.GetDevices.Instance, QueryTimeout, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<PeerStatus>> GetPeersAsync(CancellationToken cancellationToken) =>
        _node.Ask<IReadOnlyList<PeerStatus>>(NodeActor.GetPeers.Instance, QueryTimeout, cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ChannelStatus>> GetChannelsAsync(CancellationToken cancellationToken) =>
        _node.Ask<IReadOnlyList<ChannelStatus>>(NodeActor.GetChannels.Instance, QueryTimeout, cancellationToken);

    /// <summary>
    /// Stops in order within <paramref name="deadline"/>: channels closed (peers told), then the devices (DMBs
    /// unregistered before their memory is unmapped, SBA and IEQ unregistered), then the actor system.
    /// </summary>
    public async Task StopAsync(TimeSpan deadline)
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        var half = TimeSpan.FromTicks(deadline.Ticks / 2);
        try
        {
            await _node.Ask<NodeActor.ShutdownDone>(NodeActor.Shutdown.Instance, half, CancellationToken.None);
        }
        catch (AskTimeoutException)
        {
            _log.LogWarning("fabric node {Node}: channels did not all close within {Deadline}", Settings.NodeName, half);
        }

        await _system.Terminate(half);
        AcceptQueue.Writer.TryComplete();
        _log.LogInformation("fabric node {Node} stopped", Settings.NodeName);
    }

    /// <summary>Stops the node with a 10-second deadline.</summary>
    public async ValueTask DisposeAsync() => await StopAsync(TimeSpan.FromSeconds(10));
}
