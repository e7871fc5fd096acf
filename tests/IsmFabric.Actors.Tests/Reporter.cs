namespace IsmFabric.Actors.Tests;

/// <summary>
/// A test actor that reports its lifecycle to a probe ("PreStart", "PostStop", "PreRestart:msg", "PostRestart")
/// with its name and incarnation, replies to "ping", fails on <see cref="Boom"/>, and echoes everything else.
/// </summary>
internal sealed class Reporter : ReceiveActor
{
    private static int s_incarnations;
    private readonly IActorRef _probe;
    private readonly int _incarnation = Interlocked.Increment(ref s_incarnations);
    private int _state;

    public Reporter(IActorRef probe)
    {
        _probe = probe;
        Receive<Boom>(b => throw b.Exception);
        Receive<string>(_ => Sender.Tell(_state), s => s == "state");
        Receive<int>(i =>
        {
            _state += i;
            _probe.Tell(i);
        });
        ReceiveAny(m => _probe.Tell(m));
    }

    protected override void PreStart() => _probe.Tell(new Event(Self.Path.Name, "PreStart", _incarnation));

    protected override void PostStop() => _probe.Tell(new Event(Self.Path.Name, "PostStop", _incarnation));

    protected override void PreRestart(Exception reason, object? message)
    {
        _probe.Tell(new Event(Self.Path.Name, "PreRestart:" + (message as Boom)?.Exception.Message, _incarnation));
        base.PreRestart(reason, message);
    }

    protected override void PostRestart(Exception reason)
    {
        _probe.Tell(new Event(Self.Path.Name, "PostRestart", _incarnation));
        base.PostRestart(reason);
    }

    public sealed record Boom(Exception Exception);

    public sealed record Event(string Name, string What, int Incarnation);
}
