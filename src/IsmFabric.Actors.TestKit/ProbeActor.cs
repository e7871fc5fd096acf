using System.Threading.Channels;

namespace IsmFabric.Actors.TestKit;

/// <summary>The actor behind a <see cref="TestProbe"/>: queues everything it receives for the test thread.</summary>
internal sealed class ProbeActor : ActorBase
{
    private readonly ChannelWriter<ReceivedMessage> _queue;

    public ProbeActor(ChannelWriter<ReceivedMessage> queue) => _queue = queue;

    protected internal override bool Receive(object message)
    {
        switch (message)
        {
            case WatchRequest watch:
                Context.Watch(watch.Target);
                watch.Done.TrySetResult();
                return true;
            case UnwatchRequest unwatch:
                Context.Unwatch(unwatch.Target);
                unwatch.Done.TrySetResult();
                return true;
            default:
                _queue.TryWrite(new ReceivedMessage(message, Sender));
                return true;
        }
    }

    internal sealed record WatchRequest(IActorRef Target, TaskCompletionSource Done);

    internal sealed record UnwatchRequest(IActorRef Target, TaskCompletionSource Done);
}
