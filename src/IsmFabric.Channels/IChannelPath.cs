namespace IsmFabric.Channels;

/// <summary>
/// One path of a channel: the local DMB the peer writes into, and a way to write into the peer's DMB (ISM moves
/// through one function). Failover replaces the path; the channel's sequence numbers carry over.
/// </summary>
public interface IChannelPath
{
    /// <summary>The local DMB's bytes (control block, then the ring the peer writes).</summary>
    Span<byte> Local { get; }

    /// <summary>Size of the peer's DMB.</summary>
    int RemoteSize { get; }

    /// <summary>
    /// Writes into the peer's DMB at <paramref name="offset"/>; with <paramref name="signal"/> the peer is interrupted.
    /// The endpoint keeps <paramref name="data"/> unchanged until the peer acknowledged it, so a path may carry out
    /// the store later (in order) without copying it.
    /// </summary>
    void WriteRemote(int offset, ReadOnlyMemory<byte> data, bool signal);
}
