using IsmFabric.Emulation;
using IsmFabric.Fabric;
using IsmFabric.Fabric.Persistence;
using IsmFabric.Host.Configuration;
using IsmFabric.Host.Control;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Host;

/// <summary>
/// What a node process takes before its actor system starts, and gives back after it stopped: the control socket
/// (bound first, so a second node on the same data directory stops before touching anything), the emulated LPAR or
/// the real functions, the journal's location and the node's settings.
/// </summary>
public sealed class NodeResources : IAsyncDisposable
{
    private readonly ILogger _log;
    private EmulatedLpar? _lpar;
    private ControlServer? _control;
    private bool _released;

    private NodeResources(NodeOptions options, ILogger log)
    {
        Options = options;
        _log = log;
    }

    /// <summary>The node's options.</summary>
    public NodeOptions Options { get; }

    /// <summary>The control socket, bound and not yet answering.</summary>
    public ControlServer Control => _control ?? throw new ObjectDisposedException(nameof(NodeResources));

    /// <summary>Where the node's functions come from.</summary>
    public IDeviceProvider Devices { get; private set; } = null!;

    /// <summary>Where the node journals.</summary>
    public FabricJournalOptions Journal { get; private set; } = null!;

    /// <summary>The fabric node's settings (peers resolved).</summary>
    public FabricNodeSettings Settings { get; private set; } = null!;

    /// <summary>Takes everything in order; on failure, gives back what was taken and rethrows.</summary>
    public static NodeResources Acquire(NodeOptions options, ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggers);
        var log = loggers.CreateLogger("IsmFabric.Host.Node");
        var resources = new NodeResources(options, log);
        try
        {
            resources.AcquireCore();
            return resources;
        }
        catch (Exception e)
        {
            log.LogError("node {Node} failed to start: {Error}", options.Name, e.Message);
            resources.ReleaseCore();
            throw;
        }
    }

    private void AcquireCore()
    {
        _log.LogInformation(
            "node {Node} starting (process {Pid}) on {Source}, data in {DataDirectory}",
            Options.Name, Environment.ProcessId, Options.IsEmulated ? $"emulated LPAR {Options.Lpar} of {Options.Cec}" : "real ISM functions", Options.DataDirectory);
        Directory.CreateDirectory(Options.DataDirectory);
        _control = ControlServer.Bind(Options.ControlSocket, _log);

        var database = Options.Database;
        if (database.UsesPostgres)
        {
            Journal = FabricJournalOptions.Postgres(database.Postgres!, database.PostgresSchema);
            _log.LogInformation("journal on PostgreSQL, schema {Schema}", database.PostgresSchema);
        }
        else
        {
            Journal = FabricJournalOptions.Sqlite(database.Sqlite);
            _log.LogInformation("journal in SQLite file {Path}", database.Sqlite);
        }

        IReadOnlyList<PeerDefinition> defaultPeers = [];
        if (Options.IsEmulated)
        {
            using (var cec = EmulatedCec.Open(Options.Cec!))
            {
                defaultPeers = EmulatedPeers.Of(cec.Definition, Options.Lpar!);
            }

            _lpar = EmulatedLpar.Attach(Options.Cec!, Options.Lpar!);
            _log.LogInformation("attached emulated LPAR {Lpar} with {Functions} ISM functions", _lpar.Name, _lpar.Functions.Count);
            Devices = new EmulatedDeviceProvider(_lpar);
        }
        else
        {
            Devices = new KernelDeviceProvider(Options.Vfio);
        }

        Settings = Options.ToFabricSettings(defaultPeers);
        _log.LogInformation(
            "keepalive every {KeepaliveInterval} ({KeepaliveMisses} misses), channel DMBs of {ChannelDmbSize} bytes, offers wait {NegotiationTimeout} ({NegotiationAttempts} attempts)",
            Settings.KeepaliveInterval, Settings.KeepaliveMisses, Settings.ChannelDmbSize, Settings.NegotiationTimeout, Settings.NegotiationAttempts);
        if (Settings.Peers.Count == 0)
        {
            _log.LogWarning("no peers configured ({Key}): this node answers its peers' keepalives but reaches out to none", NodeConfigurationKeys.Peers);
        }

        foreach (var peer in Settings.Peers)
        {
            _log.LogInformation("peer {Peer} at GIDs {Gids}{Default}", peer.Name, peer.Gids.Select(g => $"0x{g:x16}").ToList(), Options.Peers.Count == 0 ? " (every other LPAR, by default)" : "");
        }
    }

    /// <summary>Closes the control socket (clients now hear "no node is listening"); safe to call twice.</summary>
    public async Task CloseControlAsync()
    {
        if (_control is not null)
        {
            await _control.DisposeAsync().ConfigureAwait(false);
            _control = null;
        }
    }

    /// <summary>Gives back what was taken, in reverse order; safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        await CloseControlAsync().ConfigureAwait(false);
        ReleaseCore();
    }

    private void ReleaseCore()
    {
        if (_released)
        {
            return;
        }

        _released = true;
        _control?.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _control = null;
        if (_lpar is not null)
        {
            _lpar.Dispose();
            _log.LogInformation("emulated LPAR {Lpar} detached", Options.Lpar);
            _lpar = null;
        }

        if (Journal is { UsesPostgres: false })
        {
            SqliteConnection.ClearAllPools(); // the journal's file is closed once its pooled connections are
        }

        if (Journal is not null)
        {
            _log.LogInformation("journal closed");
        }
    }
}
