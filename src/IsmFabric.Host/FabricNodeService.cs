using IsmFabric.Emulation;
using IsmFabric.Fabric;
using IsmFabric.Host.Configuration;
using IsmFabric.Host.Control;
using IsmFabric.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Host;

/// <summary>
/// The node's life inside the Generic Host. Start: claim the control socket, open the journal, attach the
/// emulated LPAR (or take the real functions), start the <see cref="FabricNode"/>, answer on the socket. Stop
/// (SIGTERM, Ctrl-C): close the socket, stop the node within <see cref="NodeOptions.ShutdownTimeout"/> (channels
/// closed, DMBs unregistered, functions released), detach the LPAR, close the journal. Each step is logged.
/// </summary>
public sealed class FabricNodeService(NodeOptions options, ILoggerFactory loggerFactory) : IHostedService, IAsyncDisposable
{
    private readonly ILogger _log = loggerFactory.CreateLogger("IsmFabric.Host.Node");
    private ControlServer? _control;
    private IAsyncDisposable? _journal;
    private EmulatedLpar? _lpar;
    private FabricNode? _node;

    /// <summary>The running fabric node, once started.</summary>
    public FabricNode? Node => _node;

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _log.LogInformation(
            "node {Node} starting (process {Pid}) on {Source}, data in {DataDirectory}",
            options.Name, Environment.ProcessId, options.IsEmulated ? $"emulated LPAR {options.Lpar} of {options.Cec}" : "real ISM functions", options.DataDirectory);
        Directory.CreateDirectory(options.DataDirectory);

        // The socket first: a living node with the same data directory makes this one stop before touching anything.
        _control = ControlServer.Bind(options.ControlSocket, _log);
        try
        {
            var persistence = await OpenJournalAsync(cancellationToken);
            IDeviceProvider devices;
            IReadOnlyList<PeerDefinition> defaultPeers = [];
            if (options.IsEmulated)
            {
                using (var cec = EmulatedCec.Open(options.Cec!))
                {
                    defaultPeers = EmulatedPeers.Of(cec.Definition, options.Lpar!);
                }

                _lpar = EmulatedLpar.Attach(options.Cec!, options.Lpar!);
                _log.LogInformation("attached emulated LPAR {Lpar} with {Functions} ISM functions", _lpar.Name, _lpar.Functions.Count);
                devices = new EmulatedDeviceProvider(_lpar);
            }
            else
            {
                devices = new KernelDeviceProvider(options.Vfio);
            }

            var settings = options.ToFabricSettings(defaultPeers);
            _log.LogInformation(
                "keepalive every {KeepaliveInterval} ({KeepaliveMisses} misses), channel DMBs of {ChannelDmbSize} bytes, offers wait {NegotiationTimeout} ({NegotiationAttempts} attempts)",
                settings.KeepaliveInterval, settings.KeepaliveMisses, settings.ChannelDmbSize, settings.NegotiationTimeout, settings.NegotiationAttempts);
            if (settings.Peers.Count == 0)
            {
                _log.LogWarning("no peers configured ({Key}): this node answers its peers' keepalives but reaches out to none", NodeConfigurationKeys.Peers);
            }

            foreach (var peer in settings.Peers)
            {
                _log.LogInformation("peer {Peer} at GIDs {Gids}{Default}", peer.Name, peer.Gids.Select(g => $"0x{g:x16}").ToList(), options.Peers.Count == 0 ? " (every other LPAR, by default)" : "");
            }

            _node = await FabricNode.StartAsync(settings, devices, persistence, loggerFactory, cancellationToken);
            _control.Start(_node);
            _log.LogInformation("node {Node} running; ask it with 'ismfabric status --socket {Socket}'", options.Name, options.ControlSocket);
        }
        catch (Exception e)
        {
            _log.LogError("node {Node} failed to start: {Error}", options.Name, e.Message);
            await ReleaseAsync();
            throw;
        }
    }

    private async Task<FabricPersistence> OpenJournalAsync(CancellationToken cancellationToken)
    {
        var database = options.Database;
        if (database.UsesPostgres)
        {
            var postgres = await PostgresJournal.OpenAsync(database.Postgres!, database.PostgresSchema, cancellationToken);
            _journal = postgres;
            _log.LogInformation("journal on PostgreSQL, schema {Schema}", database.PostgresSchema);
            return new FabricPersistence(postgres, postgres);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(database.Sqlite)!);
        var sqlite = await SqliteJournal.OpenAsync(database.Sqlite, cancellationToken: cancellationToken);
        _journal = sqlite;
        _log.LogInformation("journal in SQLite file {Path}", database.Sqlite);
        return new FabricPersistence(sqlite, sqlite);
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _log.LogInformation("node {Node} stopping (deadline {Deadline})", options.Name, options.ShutdownTimeout);
        await ReleaseAsync();
        _log.LogInformation("node {Node} stopped", options.Name);
    }

    /// <summary>Releases in order whatever was acquired; safe to call twice.</summary>
    private async Task ReleaseAsync()
    {
        if (_control is not null)
        {
            // Clients now hear "no node is listening" instead of queries to a node half torn down.
            await _control.DisposeAsync();
            _control = null;
        }

        if (_node is not null)
        {
            _log.LogInformation("stopping the fabric node: channels, then devices");
            await _node.StopAsync(options.ShutdownTimeout);
            _node = null;
        }

        if (_lpar is not null)
        {
            _lpar.Dispose();
            _log.LogInformation("emulated LPAR {Lpar} detached", options.Lpar);
            _lpar = null;
        }

        if (_journal is not null)
        {
            await _journal.DisposeAsync();
            _log.LogInformation("journal closed");
            _journal = null;
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync() => await ReleaseAsync();
}
