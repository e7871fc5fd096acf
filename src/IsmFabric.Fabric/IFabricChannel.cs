using System.Threading.Channels;

namespace IsmFabric.Fabric;

/// <summary>
/// A channel to a peer LPAR as a service uses it: ordered, lossless messages both ways with back-pressure, notices
/// when it fails over to another function, and a completion that says why it ended. Consoles and block devices
/// are built on this.
/// </summary>
public interface IFabricChannel : IAsyncDisposable
{
    /// <summary>The channel id ("initiator GID/number").</summary>
    string Id { get; }

    /// <summary>The peer's name.</summary>
    string Peer { get; }

    /// <summary>The largest message the channel carries.</summary>
    int MaxMessage { get; }

    /// <summary>Queues a message; waits while the channel's send window is full (back-pressure). Fails once the channel ended.</summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default);

    /// <summary>Messages from the peer, in order. Completes when the channel closes; completes with an error when it fails.</summary>
    ChannelReader<byte[]> Incoming { get; }

    /// <summary>What happened to the channel: failovers, closing.</summary>
    ChannelReader<ChannelNotice> Notices { get; }

    /// <summary>Completes when the channel has ended; faults with <see cref="ChannelClosedException"/> when it failed.</summary>
    Task Completion { get; }

    /// <summary>Closes the channel: what was sent is delivered first, then the peer is told.</summary>
    Task CloseAsync(CancellationToken cancellationToken = default);
}
