namespace IsmFabric.Channels;

/// <summary>Why a channel offer was declined or a channel closed (the low 16 bits of the info word).</summary>
public enum DeclineReason : ushort
{
    /// <summary>No reason given / normal close.</summary>
    None = 0,

    /// <summary>The wire format version is not spoken here.</summary>
    UnsupportedVersion = 1,

    /// <summary>No DMB could be registered (the 1888 limit, or memory).</summary>
    NoResources = 2,

    /// <summary>The offering GID is not a configured peer.</summary>
    UnknownPeer = 3,

    /// <summary>The offered DMB size is outside 16 KiB .. 1 MiB or not a power of two.</summary>
    BadSize = 4,

    /// <summary>The channel id is already in use.</summary>
    DuplicateChannel = 5,

    /// <summary>The node is shutting down.</summary>
    ShuttingDown = 6,

    /// <summary>The peer broke the channel protocol.</summary>
    ProtocolError = 7,

    /// <summary>No answer in time.</summary>
    Timeout = 8,

    /// <summary>The channel's user closed it.</summary>
    Closed = 9,
}
