using System.Threading.Channels;
using Akka.Actor;

namespace IsmFabric.Fabric;

/// <summary>The service side of a channel: bounded outbound queue (back-pressure), inbound queue, notices; the channel actor pumps them.</summary>
internal sealed class FabricChannel : IFabricChannel
{
    /// <summary>Messages a sender may queue before <see cref="SendAsync"/> waits.</summary>
    internal const int SendWindow = 64;

    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IActorRef _actor;

    internal FabricChannel(string id, string peer, int maxMessage, IActorRef actor)
    {
        Id = id;
        Peer = peer;
        MaxMessage = maxMessage;
        _actor = actor;
    }

    public string Id { get; }

    public string Peer { get; }

    public int MaxMessage { get; }

    internal Channel<byte[]> Outbound { get; } = Channel.CreateBounded<byte[]>(new BoundedChannelOptions(SendWindow) { SingleReader = true });

    internal Channel<byte[]> Inbound { get; } = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleWriter = true });

    internal Channel<ChannelNotice> NoticeQueue { get; } = Channel.CreateUnbounded<ChannelNotice>(new UnboundedChannelOptions { SingleWriter = true });

    public ChannelReader<byte[]> Incoming => Inbound.Reader;

    public ChannelReader<ChannelNotice> Notices => NoticeQueue.Reader;

    public Task Completion => _completion.Task;

    public async ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken = default)
    {
        if (message.Length > MaxMessage)
        {
            throw new ArgumentException($"message of {message.Length} bytes; channel {Id} carries at most {MaxMessage}", nameof(message));
        }

        if (_completion.Task.IsCompleted)
        {
            throw Ended();
        }

        try
        {
            await Outbound.Writer.WriteAsync(message.ToArray(), cancellationToken);
        }
        catch (ChannelClosedException)
        {
            throw;
        }
        catch (System.Threading.Channels.ChannelClosedException)
        {
            throw Ended();
        }
    }

    private ChannelClosedException Ended() =>
        _completion.Task.Exception?.InnerException as ChannelClosedException ?? new ChannelClosedException($"channel {Id} to {Peer} is closed");

    public async Task CloseAsync(CancellationToken cancellationToken = default)
    {
        Outbound.Writer.TryComplete();
        _actor.Tell(ChannelActor.CloseRequested.Instance, ActorRefs.NoSender);
        try
        {
            await _completion.Task.WaitAsync(cancellationToken);
        }
        catch (ChannelClosedException)
        {
            // it had already failed; closing is done either way
        }
    }

    public async ValueTask DisposeAsync() => await CloseAsync();

    internal void Notify(ChannelNoticeKind kind, string detail) => NoticeQueue.Writer.TryWrite(new ChannelNotice(kind, detail, DateTimeOffset.UtcNow));

    /// <summary>Ends the channel for its user: normally (<paramref name="failure"/> null) or with the reason.</summary>
    internal void Finish(string? failure)
    {
        if (failure is null)
        {
            Inbound.Writer.TryComplete();
            Notify(ChannelNoticeKind.Closed, $"channel {Id} to {Peer} closed");
            NoticeQueue.Writer.TryComplete();
            Outbound.Writer.TryComplete();
            _completion.TrySetResult();
        }
        else
        {
            var error = new ChannelClosedException(failure);
            Inbound.Writer.TryComplete(error);
            Notify(ChannelNoticeKind.Failed, failure);
            NoticeQueue.Writer.TryComplete();
            Outbound.Writer.TryComplete(error);
            _completion.TrySetException(error);
        }
    }
}
