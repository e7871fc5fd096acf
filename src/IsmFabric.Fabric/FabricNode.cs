using Akka.Actor;
using Akka.Hosting;
using IsmFabric.Fabric.Channels;
using IsmFabric.Fabric.Hosting;
using IsmFabric.Fabric.Persistence;
using IsmFabric.Fabric.Protocol;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric;

/// <summary>
/// A running fabric node as services and operators see it: queries, channels to peers, channels peers opened, and the
/// ordered stop (CoordinatedShutdown: channels closed with shutdown events to peers, DMBs unregistered, functions
/// released). Inside a node process it is attached to the host's actor system (<see cref="AttachAsync"/>); tests,
/// benchmarks and agents start one with its own host (<see cref="StartAsync"/>).
/// </summary>
public sealed class FabricNode : IFabricNodeQueries, IAsyncDisposable
{
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);
    private readonly IActorRef _node;
    private readonly IHost? _ownedHost;
    private readonly ILogger _log;
    private int _stopped;

    private FabricNode(FabricNodeSettings settings, ActorSystem system, IActorRef node, System.Threading.Channels.ChannelReader<IFabricChannel> accepted, IHost? ownedHost, ILogger log)
    {
        Settings = settings;
        System = system;
        _node = node;
        AcceptedChannels = accepted;
        _ownedHost = ownedHost;
        _log = log;
    }

    /// <summary>The settings the node runs with.</summary>
    public FabricNodeSettings Settings { get; }

    /// <summary>The node's actor system.</summary>
    public ActorSystem System { get; }

    /// <summary>
    /// Starts a node with a host of its own (Akka.Hosting through <see cref="FabricNodeHosting.WithIsmFabricNode"/>) and
    /// returns once the devices were discovered (bringing them up goes on in the background, with retries).
    /// </summary>
    public static async Task<FabricNode> StartAsync(
        FabricNodeSettings settings, IDeviceProvider devices, FabricJournalOptions? journal, ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(devices);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        settings.Validate();
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "ismfabric-node" });
        builder.Services.AddSingleton(loggerFactory);
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.Services.AddAkka(SystemName(settings.NodeName), b => b.WithIsmFabricNode(settings, devices, journal, loggerFactory));
        var host = builder.Build();
        try
        {
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            return await AttachCoreAsync(host.Services.GetRequiredService<ActorSystem>(), host.Services.GetRequiredService<ActorRegistry>(), settings, loggerFactory, host, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
            host.Dispose();
            throw;
        }
    }

    /// <summary>Attaches to the node that <see cref="FabricNodeHosting.WithIsmFabricNode"/> put in <paramref name="system"/> and starts it.</summary>
    public static Task<FabricNode> AttachAsync(ActorSystem system, ActorRegistry registry, FabricNodeSettings settings, ILoggerFactory loggerFactory, CancellationToken cancellationToken) =>
        AttachCoreAsync(system, registry, settings, loggerFactory, null, cancellationToken);

    private static async Task<FabricNode> AttachCoreAsync(
        ActorSystem system, ActorRegistry registry, FabricNodeSettings settings, ILoggerFactory loggerFactory, IHost? ownedHost, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var node = await registry.GetAsync<NodeActor>(cancellationToken).ConfigureAwait(false);
        var started = await node.Ask<NodeActor.Started>(NodeActor.Start.Instance, TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        var log = loggerFactory.CreateLogger("IsmFabric.Fabric.Node");
        log.LogInformation("fabric node {Node} started with {Peers} configured peers", settings.NodeName, settings.Peers.Count);
        return new FabricNode(settings, system, node, new ClaimingReader(started.Accepted), ownedHost, log);
    }

    /// <summary>The actor system name for a node called <paramref name="name"/>.</summary>
    public static string SystemName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return "node-" + ActorNames.Safe(name);
    }

    /// <summary>Opens a channel to <paramref name="peer"/> (a configured peer name), negotiated in-band over ISM.</summary>
    public async Task<IFabricChannel> OpenChannelAsync(string peer, CancellationToken cancellationToken)
    {
        var result = await _node.Ask<object>(new OpenChannel(peer), Settings.NegotiationTimeout * (Settings.NegotiationAttempts + 1) + TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        return result switch
        {
            FabricChannel channel => channel,
            ChannelOpenFailed failed => throw new ChannelClosedException(failed.Reason),
            _ => throw new InvalidOperationException($"unexpected answer {result}"),
        };
    }

    /// <summary>Completes when the node's actor system has terminated, whether by <see cref="StopAsync"/> or on its own.</summary>
    public Task Terminated => System.WhenTerminated;

    /// <summary>Channels peers opened to this node; read them to serve them.</summary>
    public System.Threading.Channels.ChannelReader<IFabricChannel> AcceptedChannels { get; }

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

    /// <summary>The channel ledger's counters: channels opened and ended since the journal began, and open now (zeros without a journal).</summary>
    internal async Task<(long Opened, long Ended, int Open)> GetLedgerCountsAsync(CancellationToken cancellationToken)
    {
        var counts = await _node.Ask<ChannelLedger.Counts>(new ChannelLedger.GetCounts(), QueryTimeout, cancellationToken).ConfigureAwait(false);
        return (counts.Opened, counts.Ended, counts.Open);
    }

    /// <summary>
    /// Runs the node's <see cref="CoordinatedShutdown"/>: channels closed (peers told), then the devices (DMBs
    /// unregistered before their memory is unmapped, SBA and IEQ unregistered), then the actor system. Each phase
    /// has half the node's <see cref="FabricNodeSettings.ShutdownTimeout"/>.
    /// </summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await CoordinatedShutdown.Get(System).Run(NodeStopReason.Instance).ConfigureAwait(false);
        if (_ownedHost is not null)
        {
            await _ownedHost.StopAsync(CancellationToken.None).ConfigureAwait(false);
            _ownedHost.Dispose();
        }

        _log.LogInformation("fabric node {Node} stopped", Settings.NodeName);
    }

    /// <summary>Stops the node (see <see cref="StopAsync"/>).</summary>
    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);
}
