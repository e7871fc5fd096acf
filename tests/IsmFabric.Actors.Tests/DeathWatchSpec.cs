using IsmFabric.Actors.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace IsmFabric.Actors.Tests;

public sealed class DeathWatchSpec : TestKit.TestKit
{
    public DeathWatchSpec(ITestOutputHelper output)
        : base(output)
    {
    }

    [Fact]
    public void Watching_an_actor_that_stops_yields_Terminated()
    {
        var target = ActorOf(Props.Create(() => new Echo()), "target");
        Watch(target);
        Sys.Stop(target);
        var t = ExpectTerminated(target);
        Assert.Same(target, t.ActorRef);
        Assert.Same(target, Probe.LastSender);
    }

    [Fact]
    public void Watching_an_actor_that_is_already_dead_yields_Terminated()
    {
        var target = ActorOf(Props.Create(() => new Echo()), "target");
        var first = CreateTestProbe();
        first.Watch(target);
        target.Tell(PoisonPill.Instance);
        first.ExpectTerminated(target);

        Watch(target);
        ExpectTerminated(target);
    }

    [Fact]
    public void An_actor_watching_from_inside_receives_Terminated_in_its_receive()
    {
        var target = ActorOf(Props.Create(() => new Echo()), "target");
        var watcher = ActorOf(Props.Create(() => new Watcher(target, TestActor)), "watcher");
        ExpectMsg("watching");
        target.Tell(PoisonPill.Instance);
        Assert.Same(target, ExpectMsg<Terminated>().ActorRef);
        _ = watcher;
    }

    [Fact]
    public void Unwatch_prevents_the_Terminated_message()
    {
        var target = ActorOf(Props.Create(() => new Echo()), "target");
        Watch(target);
        Unwatch(target);
        Sys.Stop(target);
        ExpectNoMsg(TimeSpan.FromMilliseconds(300));
    }

    [Fact]
    public void An_unhandled_Terminated_stops_the_watcher_with_a_DeathPactException()
    {
        var target = ActorOf(Props.Create(() => new Echo()), "target");
        var watcher = ActorOf(Props.Create(() => new Watcher(target, TestActor, handleTerminated: false)), "watcher");
        ExpectMsg("watching");
        Watch(watcher);
        Sys.Stop(target);
        ExpectTerminated(watcher);
        Assert.Same(target, ((DeathPactException)ExpectFailure<DeathPactException>().Cause).DeadActor);
    }

    [Fact]
    public void A_parent_watching_its_child_gets_Terminated_once()
    {
        var parent = ActorOf(Props.Create(() => new Watcher(null, TestActor)), "parent");
        ExpectMsg("watching");
        parent.Tell("stop-child");
        ExpectMsg<Terminated>();
        ExpectNoMsg();
    }

    private sealed class Watcher : ReceiveActor
    {
        public Watcher(IActorRef? target, IActorRef probe, bool handleTerminated = true)
        {
            var child = target is null ? Context.ActorOf(Props.Create(() => new Echo()), "child") : null;
            Context.Watch(target ?? child!);
            probe.Tell("watching");
            if (handleTerminated)
            {
                Receive<Terminated>(t => probe.Tell(t));
            }

            Receive<string>(_ => Context.Stop(child!), s => s == "stop-child");
        }
    }
}
