using System.Threading.Channels;
using IsmFabric.Fabric.Channels;

namespace IsmFabric.Fabric;

/// <summary>
/// A channel to a peer LPAR as a service uses it: ordered, lossless messages both ways with back-pressure, notices
/// when it fails over to another function, and a completion that says why it ended. Consoles and block devices
/// are built on this. Read either with <see cref="ReceiveAsync"/> (in place, no copy) or <see cref="Incoming"/>
/// (copies), not both.
/// </summary>
public interface IFabricChannel : IAsyncDisposable
{
    /// <summary>The channel id ("initiator GID/number").</summary>
    string Id { get; }

    /// <summary>The peer's name.</summary>
    string Peer { get; }

    /// <summary>The largest message the channel carries.</summary>
    int MaxMessage { get; }

    /// <summary>
    /// Sends a message from the calling thread (moves into the peer's ring); waits while the ring is full
    /// (back-pressure). Fails with <see cref="ChannelClosedException"/> once the channel ended or is closing.
    /// </summary>
    ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default);

    /// <summary>
    /// The next message from the peer, leased in place (dispose it before the next receive). Throws
    /// <see cref="ChannelClosedException"/> once the channel ended; <see cref="Completion"/> says whether it failed.
    /// </summary>
    ValueTask<ChannelMessage> ReceiveAsync(CancellationToken cancellationToken = default);

    /// <summary>Messages from the peer as copies, in order. Completes when the channel closes; completes with an error when it fails.</summary>
    ChannelReader<byte[]> Incoming { get; }

    /// <summary>What happened to the channel: failovers, closing.</summary>
    ChannelReader<ChannelNotice> Notices { get; }

    /// <summary>Completes when the channel has ended; faults with <see cref="ChannelClosedException"/> when it failed.</summary>
    Task Completion { get; }

    /// <summary>Closes the channel: what was sent is delivered first, then the peer is told.</summary>
    Task CloseAsync(CancellationToken cancellationToken = default);
}
