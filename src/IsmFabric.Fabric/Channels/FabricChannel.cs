using System.Threading.Channels;
using Akka.Actor;

namespace IsmFabric.Fabric.Channels;

/// <summary>The service side of a channel: the data plane for the bytes, the channel actor for closing, notices and completion.</summary>
internal sealed class FabricChannel : IFabricChannel
{
    /// <summary>Copies the <see cref="Incoming"/> adapter holds before it stops reading the ring (back-pressure).</summary>
    private const int IncomingWindow = 64;

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ChannelDataPlane _plane;
    private readonly IActorRef _actor;
    private readonly Channel<ChannelNotice> _notices = Channel.CreateUnbounded<ChannelNotice>(new UnboundedChannelOptions { SingleWriter = true });
    private Channel<byte[]>? _incoming;
    private int _claimed;

    internal FabricChannel(string id, string peer, ChannelDataPlane plane, IActorRef actor)
    {
        Id = id;
        Peer = peer;
        _plane = plane;
        _actor = actor;
    }

    public string Id { get; }

    public string Peer { get; }

    public int MaxMessage => _plane.MaxMessage;

    public ChannelReader<ChannelNotice> Notices => _notices.Reader;

    public Task Completion => _completion.Task;

    /// <summary>True once a service took the channel (a peer's channel nobody claims is closed after a while).</summary>
    internal bool Claimed => Volatile.Read(ref _claimed) != 0;

    public ChannelReader<byte[]> Incoming
    {
        get
        {
            if (_incoming is null)
            {
                var incoming = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(IncomingWindow) { SingleWriter = true });
                if (Interlocked.CompareExchange(ref _incoming, incoming, null) is null)
                {
                    _ = Task.Run(() => CopyInAsync(incoming.Writer));
                }
            }

            return _incoming!.Reader;
        }
    }

    public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default) =>
        _plane.SendAsync(message, cancellationToken);

    public ValueTask<ChannelMessage> ReceiveAsync(CancellationToken cancellationToken = default) =>
        _plane.ReceiveAsync(cancellationToken);

    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        _plane.CloseSends($"channel {Id} to {Peer} is closing");
        _actor.Tell(ChannelActor.CloseRequested.Instance, ActorRefs.NoSender);
        try
        {
            await _completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            // it had already failed; closing is done either way
        }
    }

    public async ValueTask DisposeAsync() => await CloseAsync().ConfigureAwait(false);

    /// <summary>The data plane's state, for diagnostics.</summary>
    internal string Describe() => _plane.Describe();

    /// <summary>A service took the channel.</summary>
    internal void Claim() => Volatile.Write(ref _claimed, 1);

    internal void Notify(ChannelNoticeKind kind, string detail) => _notices.Writer.TryWrite(new ChannelNotice(kind, detail, DateTimeOffset.UtcNow));

    /// <summary>Ends the channel for its user: normally (<paramref name="failure"/> null) or with the reason.</summary>
    internal void Finish(string? failure, string closed)
    {
        if (failure is null)
        {
            Notify(ChannelNoticeKind.Closed, closed);
            _notices.Writer.TryComplete();
            _completion.TrySetResult();
        }
        else
        {
            Notify(ChannelNoticeKind.Failed, failure);
            _notices.Writer.TryComplete();
            _completion.TrySetException(new ChannelClosedException(failure));
        }
    }

    private async Task CopyInAsync(ChannelWriter<byte[]> writer)
    {
        try
        {
            while (true)
            {
                byte[] copy;
                using (var message = await _plane.ReceiveAsync(CancellationToken.None).ConfigureAwait(false))
                {
                    copy = message.ToArray();
                }

                await writer.WriteAsync(copy).ConfigureAwait(false);
            }
        }
        catch (ChannelClosedException e)
        {
            writer.TryComplete(_plane.EndedByFailure ? e : null);
        }
        catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException)
        {
            writer.TryComplete(e);
        }
    }
}
