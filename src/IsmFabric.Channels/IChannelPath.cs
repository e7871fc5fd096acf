namespace IsmFabric.Channels;

/// <summary>
/// One path of a channel: the local DMB the peer writes into, and a way to write into the peer's DMB (ISM moves
/// through one function). Failover replaces the path; the channel's sequence numbers carry over.
/// </summary>
public interface IChannelPath
{
    /// <summary>The local DMB's bytes (control area, then the ring the peer writes). Valid while the path is held.</summary>
    Span<byte> Local { get; }

    /// <summary>Size of the peer's DMB.</summary>
    int RemoteSize { get; }

    /// <summary>
    /// Writes <paramref name="data"/> into the peer's DMB at <paramref name="offset"/>; with <paramref name="signal"/>
    /// the peer is interrupted. Synchronous and ordered: when it returns the store has landed, after every earlier
    /// one. Throws when the path cannot carry it (the function failed, the DMB went away).
    /// </summary>
    void WriteRemote(int offset, ReadOnlySpan<byte> data, bool signal);
}
