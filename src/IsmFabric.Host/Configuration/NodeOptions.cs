using System.Data.Common;
using System.Text;
using System.Text.RegularExpressions;
using IsmFabric.Emulation;
using IsmFabric.Fabric;
using IsmFabric.Vfio;
using Microsoft.Extensions.Configuration;
using K = IsmFabric.Host.Configuration.NodeConfigurationKeys;
using R = IsmFabric.Host.Configuration.ConfigurationKeyReader;

namespace IsmFabric.Host.Configuration;

/// <summary>
/// Everything a node process runs with, built once from configuration (<c>config/ismfabric.json</c>, an optional
/// <c>--config</c> file, <c>ISMFABRIC_</c> environment variables, then command-line options) and validated there:
/// <see cref="FromConfiguration"/> fails with a <see cref="NodeConfigurationException"/> naming the key at fault.
/// </summary>
public sealed partial record NodeOptions
{
    /// <summary>The most bytes a UNIX socket path may have (sun_path is 108 bytes with its terminating NUL).</summary>
    public const int MaxSocketPathBytes = 107;

    private static readonly FabricNodeSettings CoreDefaults = new() { NodeName = "defaults" };

    /// <summary>The node's name, which names its journal records and its log lines.</summary>
    public required string Name { get; init; }

    /// <summary>The emulated CEC directory, or null on real ISM functions.</summary>
    public string? Cec { get; init; }

    /// <summary>The emulated LPAR to attach (set exactly when <see cref="Cec"/> is).</summary>
    public string? Lpar { get; init; }

    /// <summary>The node's data directory (absolute).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>The control socket path (absolute).</summary>
    public required string ControlSocket { get; init; }

    /// <summary>The journal.</summary>
    public required NodeDatabaseOptions Database { get; init; }

    /// <summary>The logs.</summary>
    public required NodeLoggingOptions Logging { get; init; }

    /// <summary>The configured peers; empty means "every other LPAR" on an emulated CEC, and none on a real one.</summary>
    public IReadOnlyList<PeerDefinition> Peers { get; init; } = [];

    /// <summary>How real functions are opened through VFIO.</summary>
    public VfioOpenOptions Vfio { get; init; } = new();

    /// <summary>Keepalive period.</summary>
    public TimeSpan KeepaliveInterval { get; init; } = CoreDefaults.KeepaliveInterval;

    /// <summary>Unanswered keepalives after which a peer is down.</summary>
    public int KeepaliveMisses { get; init; } = CoreDefaults.KeepaliveMisses;

    /// <summary>Size of each channel DMB in bytes.</summary>
    public int ChannelDmbSize { get; init; } = CoreDefaults.ChannelDmbSize;

    /// <summary>How long an offer waits for its answer.</summary>
    public TimeSpan NegotiationTimeout { get; init; } = CoreDefaults.NegotiationTimeout;

    /// <summary>Offers made before an open fails.</summary>
    public int NegotiationAttempts { get; init; } = CoreDefaults.NegotiationAttempts;

    /// <summary>The most DMBs one owner may hold.</summary>
    public int DmbQuotaPerOwner { get; init; } = CoreDefaults.DmbQuotaPerOwner;

    /// <summary>First delay before a failed device is brought up again.</summary>
    public TimeSpan DeviceRestartMinBackoff { get; init; } = CoreDefaults.DeviceRestartMinBackoff;

    /// <summary>Longest delay between attempts to bring a failed device up.</summary>
    public TimeSpan DeviceRestartMaxBackoff { get; init; } = CoreDefaults.DeviceRestartMaxBackoff;

    /// <summary>How long an idle device waits for an interrupt before polling anyway.</summary>
    public TimeSpan InterruptPollInterval { get; init; } = CoreDefaults.InterruptPollInterval;

    /// <summary>The most channels one peer may have open with this node.</summary>
    public int MaxChannelsPerPeer { get; init; } = CoreDefaults.MaxChannelsPerPeer;

    /// <summary>How long a channel a peer opened waits for a service to claim it.</summary>
    public TimeSpan ChannelClaimTimeout { get; init; } = CoreDefaults.ChannelClaimTimeout;

    /// <summary>How long a channel's reader spins before it sleeps on the interrupt.</summary>
    public TimeSpan ReadSpin { get; init; } = CoreDefaults.ReadSpin;

    /// <summary>How long an orderly stop may take. Default 10 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Whether the node runs on an emulated LPAR.</summary>
    public bool IsEmulated => Cec is not null;

    /// <summary>
    /// Reads and validates the node's options; relative paths are taken from <paramref name="workingDirectory"/>
    /// (the current directory by default). Throws <see cref="NodeConfigurationException"/> on the first bad key.
    /// </summary>
    public static NodeOptions FromConfiguration(IConfiguration configuration, string? workingDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var cwd = workingDirectory ?? Directory.GetCurrentDirectory();

        var cec = R.String(configuration, K.Cec);
        var lpar = R.String(configuration, K.Lpar);
        if (cec is not null && lpar is null)
        {
            throw new NodeConfigurationException(K.Lpar, $"required with {K.Cec} (the emulated LPAR to attach, e.g. lpar1)");
        }

        if (lpar is not null && cec is null)
        {
            throw new NodeConfigurationException(K.Cec, $"required with {K.Lpar} (the emulated CEC directory)");
        }

        if (cec is not null)
        {
            cec = Path.GetFullPath(cec, cwd);
            if (!EmulatedCec.Exists(cec))
            {
                throw new NodeConfigurationException(K.Cec, $"no emulated CEC in {cec}; accepted: a directory made by 'ismfabric cec create --dir {cec}'");
            }

            // Checked here, before the node creates its data directory: a node that cannot attach must leave nothing behind.
            var lpars = ReadLparNames(cec);
            if (!lpars.Contains(lpar!, StringComparer.Ordinal))
            {
                throw new NodeConfigurationException(K.Lpar, $"'{lpar}' is not an LPAR of the CEC in {cec}; accepted: {string.Join(", ", lpars)}");
            }
        }

        var name = R.String(configuration, K.Name) ?? lpar ?? Environment.MachineName;
        if (!NamePattern().IsMatch(name))
        {
            throw new NodeConfigurationException(K.Name, $"'{name}' is not accepted; accepted: 1..64 letters, digits, '.', '_' or '-', starting with a letter or digit");
        }

        var dataDirectory = Path.GetFullPath(R.String(configuration, K.DataDirectory) ?? Path.Combine("ismfabric-data", name), cwd);
        var controlSocket = Path.GetFullPath(R.String(configuration, K.ControlSocket) ?? Path.Combine(dataDirectory, "node.sock"), cwd);
        var socketBytes = Encoding.UTF8.GetByteCount(controlSocket);
        if (socketBytes > MaxSocketPathBytes)
        {
            throw new NodeConfigurationException(
                K.ControlSocket,
                $"'{controlSocket}' is {socketBytes} bytes; a UNIX socket path holds at most {MaxSocketPathBytes} (choose a shorter {K.DataDirectory} or set {K.ControlSocket})");
        }

        var minBackoff = R.Int(configuration, K.DeviceRestartMinBackoffMs, Ms(CoreDefaults.DeviceRestartMinBackoff), 1, 600_000);
        var maxBackoff = R.Int(configuration, K.DeviceRestartMaxBackoffMs, Ms(CoreDefaults.DeviceRestartMaxBackoff), 1, 3_600_000);
        if (maxBackoff < minBackoff)
        {
            throw new NodeConfigurationException(K.DeviceRestartMaxBackoffMs, $"{maxBackoff} is below {K.DeviceRestartMinBackoffMs} ({minBackoff}); accepted: {minBackoff}..3600000");
        }

        var dmbSize = R.Int(configuration, K.ChannelDmbSize, CoreDefaults.ChannelDmbSize, 16 * 1024, 1024 * 1024);
        if ((dmbSize & (dmbSize - 1)) != 0)
        {
            throw new NodeConfigurationException(K.ChannelDmbSize, $"{dmbSize} is not a power of two; accepted: 16384, 32768, … 1048576");
        }

        return new NodeOptions
        {
            Name = name,
            Cec = cec,
            Lpar = lpar,
            DataDirectory = dataDirectory,
            ControlSocket = controlSocket,
            Database = ReadDatabase(configuration, dataDirectory, cwd),
            Logging = ReadLogging(configuration, dataDirectory, cwd),
            Peers = ReadPeers(configuration),
            Vfio = ReadVfio(configuration),
            KeepaliveInterval = TimeSpan.FromMilliseconds(R.Int(configuration, K.KeepaliveIntervalMs, Ms(CoreDefaults.KeepaliveInterval), 10, 60_000)),
            KeepaliveMisses = R.Int(configuration, K.KeepaliveMisses, CoreDefaults.KeepaliveMisses, 1, 100),
            ChannelDmbSize = dmbSize,
            NegotiationTimeout = TimeSpan.FromMilliseconds(R.Int(configuration, K.NegotiationTimeoutMs, Ms(CoreDefaults.NegotiationTimeout), 1, 600_000)),
            NegotiationAttempts = R.Int(configuration, K.NegotiationAttempts, CoreDefaults.NegotiationAttempts, 1, 100),
            DmbQuotaPerOwner = R.Int(configuration, K.DmbQuotaPerOwner, CoreDefaults.DmbQuotaPerOwner, 2, 1888),
            DeviceRestartMinBackoff = TimeSpan.FromMilliseconds(minBackoff),
            DeviceRestartMaxBackoff = TimeSpan.FromMilliseconds(maxBackoff),
            InterruptPollInterval = TimeSpan.FromMilliseconds(R.Int(configuration, K.InterruptPollIntervalMs, Ms(CoreDefaults.InterruptPollInterval), 1, 10_000)),
            ShutdownTimeout = TimeSpan.FromMilliseconds(R.Int(configuration, K.ShutdownTimeoutMs, 10_000, 100, 600_000)),
            MaxChannelsPerPeer = R.Int(configuration, K.MaxChannelsPerPeer, CoreDefaults.MaxChannelsPerPeer, 1, 1888),
            ChannelClaimTimeout = TimeSpan.FromMilliseconds(R.Int(configuration, K.ChannelClaimTimeoutMs, Ms(CoreDefaults.ChannelClaimTimeout), 1, 3_600_000)),
            ReadSpin = TimeSpan.FromMicroseconds(R.Int(configuration, K.ReadSpinUs, (int)CoreDefaults.ReadSpin.TotalMicroseconds, 0, 10_000)),
        };
    }

    /// <summary>
    /// The fabric core's settings for this node; <paramref name="defaultPeers"/> (every other LPAR of an emulated
    /// CEC) are used when no peers are configured.
    /// </summary>
    public FabricNodeSettings ToFabricSettings(IReadOnlyList<PeerDefinition> defaultPeers)
    {
        ArgumentNullException.ThrowIfNull(defaultPeers);
        return new FabricNodeSettings
        {
            NodeName = Name,
            Peers = Peers.Count > 0 ? Peers : defaultPeers,
            KeepaliveInterval = KeepaliveInterval,
            KeepaliveMisses = KeepaliveMisses,
            ChannelDmbSize = ChannelDmbSize,
            NegotiationTimeout = NegotiationTimeout,
            NegotiationAttempts = NegotiationAttempts,
            DmbQuotaPerOwner = DmbQuotaPerOwner,
            DeviceRestartMinBackoff = DeviceRestartMinBackoff,
            DeviceRestartMaxBackoff = DeviceRestartMaxBackoff,
            InterruptPollInterval = InterruptPollInterval,
            ShutdownTimeout = ShutdownTimeout,
            MaxChannelsPerPeer = MaxChannelsPerPeer,
            ChannelClaimTimeout = ChannelClaimTimeout,
            ReadSpin = ReadSpin,
        };
    }

    private static int Ms(TimeSpan t) => (int)t.TotalMilliseconds;

    private static List<string> ReadLparNames(string cec)
    {
        try
        {
            using var opened = EmulatedCec.Open(cec);
            return opened.Definition.Lpars.Select(l => l.Name).ToList();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            // The emulator's message names the file and the field at fault, and what it accepts.
            throw new NodeConfigurationException(K.Cec, e.Message);
        }
    }

    private static NodeDatabaseOptions ReadDatabase(IConfiguration configuration, string dataDirectory, string cwd)
    {
        var postgres = R.String(configuration, K.Postgres);
        if (postgres is not null)
        {
            try
            {
                _ = new DbConnectionStringBuilder { ConnectionString = postgres };
            }
            catch (ArgumentException e)
            {
                throw new NodeConfigurationException(K.Postgres, $"not a connection string ({e.Message}); accepted: e.g. Host=127.0.0.1;Port=5432;Username=ismfabric");
            }
        }

        var schema = R.String(configuration, K.PostgresSchema) ?? "ismfabric";
        if (!SchemaPattern().IsMatch(schema))
        {
            throw new NodeConfigurationException(K.PostgresSchema, $"'{schema}' is not accepted; accepted: 1..63 lower-case letters, digits or '_', not starting with a digit");
        }

        return new NodeDatabaseOptions
        {
            Sqlite = Path.GetFullPath(R.String(configuration, K.Sqlite) ?? Path.Combine(dataDirectory, "node.db"), cwd),
            Postgres = postgres,
            PostgresSchema = schema,
        };
    }

    private static NodeLoggingOptions ReadLogging(IConfiguration configuration, string dataDirectory, string cwd) => new()
    {
        Json = R.Bool(configuration, K.LogJson, false),
        Level = R.Enum(configuration, K.LogLevel, Serilog.Events.LogEventLevel.Information),
        Console = R.Bool(configuration, K.LogConsole, true),
        File = Path.GetFullPath(R.String(configuration, K.LogFile) ?? Path.Combine(dataDirectory, "logs", "node-.log"), cwd),
        RetainedFiles = R.Int(configuration, K.LogRetainedFiles, 7, 1, 1000),
    };

    private static VfioOpenOptions ReadVfio(IConfiguration configuration)
    {
        var options = new VfioOpenOptions
        {
            Mode = R.Enum(configuration, K.VfioMode, VfioOpenMode.Auto),
            SysfsRoot = R.String(configuration, K.VfioSysfsRoot) ?? "/sys",
            DevRoot = R.String(configuration, K.VfioDevRoot) ?? "/dev",
        };
        if (!Path.IsPathRooted(options.SysfsRoot))
        {
            throw new NodeConfigurationException(K.VfioSysfsRoot, $"'{options.SysfsRoot}' is not accepted; accepted: an absolute path such as /sys");
        }

        if (!Path.IsPathRooted(options.DevRoot))
        {
            throw new NodeConfigurationException(K.VfioDevRoot, $"'{options.DevRoot}' is not accepted; accepted: an absolute path such as /dev");
        }

        return options;
    }

    private static List<PeerDefinition> ReadPeers(IConfiguration configuration)
    {
        var peers = new List<PeerDefinition>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var owners = new Dictionary<ulong, string>();
        foreach (var section in configuration.GetSection(K.Peers).GetChildren().OrderBy(s => int.TryParse(s.Key, out var i) ? i : int.MaxValue))
        {
            var prefix = $"{K.Peers}:{section.Key}";
            var name = R.String(section, "Name")
                ?? throw new NodeConfigurationException($"{prefix}:Name", "missing; accepted: the peer's name (its LPAR name on an emulated CEC)");
            if (!NamePattern().IsMatch(name))
            {
                throw new NodeConfigurationException($"{prefix}:Name", $"'{name}' is not accepted; accepted: 1..64 letters, digits, '.', '_' or '-'");
            }

            if (!names.Add(name))
            {
                throw new NodeConfigurationException($"{prefix}:Name", $"'{name}' names two peers; accepted: a name no other peer has");
            }

            var gidsSection = section.GetSection("Gids");

            // An array in JSON; a comma-separated list is accepted too, which is what an environment variable can hold.
            var texts = gidsSection.Value is { } list
                ? list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(t => ($"{prefix}:Gids", (string?)t))
                : gidsSection.GetChildren().Select(c => ($"{prefix}:Gids:{c.Key}", c.Value));
            var gids = new List<ulong>();
            foreach (var (key, text) in texts)
            {
                var gid = R.Gid(key, text);
                if (owners.TryGetValue(gid, out var owner))
                {
                    throw new NodeConfigurationException(key, $"0x{gid:x16} is already a GID of peer '{owner}'; accepted: GIDs no other peer has");
                }

                owners[gid] = name;
                gids.Add(gid);
            }

            if (gids.Count == 0)
            {
                throw new NodeConfigurationException($"{prefix}:Gids", "missing; accepted: one or more GIDs such as [\"0x1000000000000001\"]");
            }

            peers.Add(new PeerDefinition(name, gids));
        }

        return peers;
    }

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")]
    private static partial Regex NamePattern();

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex SchemaPattern();
}
