namespace IsmFabric.Host.Configuration;

/// <summary>
/// The configuration keys of a node (sections separated by ':'; in environment variables write
/// <c>ISMFABRIC_Node__KeepaliveIntervalMs</c>). Defaults and accepted values are in <c>config/ismfabric.json</c>
/// and <c>docs/node.md</c>.
/// </summary>
public static class NodeConfigurationKeys
{
    /// <summary>The section every node key lives in.</summary>
    public const string Section = "Node";

    /// <summary>The node's name; default the LPAR name, else the host name.</summary>
    public const string Name = "Node:Name";

    /// <summary>An emulated CEC directory to run on (with <see cref="Lpar"/>); unset means real ISM functions.</summary>
    public const string Cec = "Node:Cec";

    /// <summary>The emulated LPAR to attach (with <see cref="Cec"/>).</summary>
    public const string Lpar = "Node:Lpar";

    /// <summary>Where the node keeps its journal, logs and control socket; default <c>./ismfabric-data/&lt;name&gt;</c>.</summary>
    public const string DataDirectory = "Node:DataDirectory";

    /// <summary>The control socket; default <c>&lt;data-dir&gt;/node.sock</c>.</summary>
    public const string ControlSocket = "Node:ControlSocket";

    /// <summary>The SQLite journal file; default <c>&lt;data-dir&gt;/node.db</c>.</summary>
    public const string Sqlite = "Node:Database:Sqlite";

    /// <summary>A PostgreSQL connection string; when set it wins over SQLite.</summary>
    public const string Postgres = "Node:Database:Postgres";

    /// <summary>The PostgreSQL schema of the journal; default <c>ismfabric</c>.</summary>
    public const string PostgresSchema = "Node:Database:PostgresSchema";

    /// <summary>The peers: an array of <c>{ "Name": …, "Gids": ["0x…"] }</c>.</summary>
    public const string Peers = "Node:Peers";

    /// <summary>Keepalive period in milliseconds.</summary>
    public const string KeepaliveIntervalMs = "Node:KeepaliveIntervalMs";

    /// <summary>Unanswered keepalives after which a peer is down.</summary>
    public const string KeepaliveMisses = "Node:KeepaliveMisses";

    /// <summary>Size of each channel DMB in bytes.</summary>
    public const string ChannelDmbSize = "Node:ChannelDmbSize";

    /// <summary>How long a channel offer waits for its answer, in milliseconds.</summary>
    public const string NegotiationTimeoutMs = "Node:NegotiationTimeoutMs";

    /// <summary>How many times an offer is made before an open fails.</summary>
    public const string NegotiationAttempts = "Node:NegotiationAttempts";

    /// <summary>The most DMBs one owner may hold.</summary>
    public const string DmbQuotaPerOwner = "Node:DmbQuotaPerOwner";

    /// <summary>First delay before a failed device is brought up again, in milliseconds.</summary>
    public const string DeviceRestartMinBackoffMs = "Node:DeviceRestartMinBackoffMs";

    /// <summary>Longest delay between attempts to bring a failed device up, in milliseconds.</summary>
    public const string DeviceRestartMaxBackoffMs = "Node:DeviceRestartMaxBackoffMs";

    /// <summary>How long an idle device waits for an interrupt before polling anyway, in milliseconds.</summary>
    public const string InterruptPollIntervalMs = "Node:InterruptPollIntervalMs";

    /// <summary>The most channels one peer may have open with this node at once (offers beyond are declined).</summary>
    public const string MaxChannelsPerPeer = "Node:MaxChannelsPerPeer";

    /// <summary>How long a channel a peer opened waits for a local service to claim it before it is closed, in milliseconds.</summary>
    public const string ChannelClaimTimeoutMs = "Node:ChannelClaimTimeoutMs";

    /// <summary>How long a channel's reader spins looking for the next message before it sleeps, in microseconds (0 = never spin).</summary>
    public const string ReadSpinUs = "Node:ReadSpinUs";

    /// <summary>How long an orderly stop may take before the rest is abandoned, in milliseconds.</summary>
    public const string ShutdownTimeoutMs = "Node:ShutdownTimeoutMs";

    /// <summary>The VFIO flow for real functions: Auto, Legacy or Cdev.</summary>
    public const string VfioMode = "Node:Vfio:Mode";

    /// <summary>Where sysfs is mounted.</summary>
    public const string VfioSysfsRoot = "Node:Vfio:SysfsRoot";

    /// <summary>Where the device nodes live.</summary>
    public const string VfioDevRoot = "Node:Vfio:DevRoot";

    /// <summary>Log as JSON (console and file) instead of text.</summary>
    public const string LogJson = "Node:Logging:Json";

    /// <summary>The lowest level logged.</summary>
    public const string LogLevel = "Node:Logging:Level";

    /// <summary>Whether to log to the console at all.</summary>
    public const string LogConsole = "Node:Logging:Console";

    /// <summary>The rolling log file; default <c>&lt;data-dir&gt;/logs/node-.log</c> (the date goes before the dot).</summary>
    public const string LogFile = "Node:Logging:File";

    /// <summary>How many daily log files are kept.</summary>
    public const string LogRetainedFiles = "Node:Logging:RetainedFiles";
}
