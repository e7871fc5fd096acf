using IsmFabric.Actors.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace IsmFabric.Actors.Tests;

public sealed class RestartLimitSpec : TestKit.TestKit
{
    public RestartLimitSpec(ITestOutputHelper output)
        : base(output, new TestKitSettings { UseTestScheduler = true })
    {
        AllowFailures<InvalidOperationException>();
    }

    [Fact]
    public void A_child_that_fails_more_often_than_the_limit_within_the_window_is_stopped()
    {
        var strategy = new OneForOneStrategy(2, TimeSpan.FromSeconds(10), _ => Directive.Restart);
        var child = StartChild(strategy);
        Watch(child);
        for (var i = 0; i < 2; i++)
        {
            Fail(child);
            ExpectRestart();
            Scheduler.Advance(TimeSpan.FromSeconds(1));
        }

        Fail(child);
        ExpectMsg<Reporter.Event>(e => e.What == "PostStop");
        ExpectTerminated(child);
        Assert.Equal(3, Failures.Count(f => f.Directive == Directive.Restart));
    }

    [Fact]
    public void Failures_spread_wider_than_the_window_restart_the_child_every_time()
    {
        var strategy = new OneForOneStrategy(2, TimeSpan.FromSeconds(10), _ => Directive.Restart);
        var child = StartChild(strategy);
        for (var i = 0; i < 6; i++)
        {
            Fail(child);
            ExpectRestart();
            Scheduler.Advance(TimeSpan.FromSeconds(6));
        }

        child.Tell("alive?");
        ExpectMsg("alive?");
    }

    [Fact]
    public void A_limit_of_zero_retries_stops_at_the_first_failure()
    {
        var child = StartChild(new OneForOneStrategy(0, Timeout.InfiniteTimeSpan, _ => Directive.Restart));
        Watch(child);
        Fail(child);
        ExpectMsg<Reporter.Event>(e => e.What == "PostStop");
        ExpectTerminated(child);
    }

    [Fact]
    public void A_lifetime_limit_counts_every_restart_without_a_window()
    {
        var child = StartChild(new OneForOneStrategy(3, Timeout.InfiniteTimeSpan, _ => Directive.Restart));
        Watch(child);
        for (var i = 0; i < 3; i++)
        {
            Fail(child);
            ExpectRestart();
            Scheduler.Advance(TimeSpan.FromHours(1));
        }

        Fail(child);
        ExpectMsg<Reporter.Event>(e => e.What == "PostStop");
        ExpectTerminated(child);
    }

    private IActorRef StartChild(SupervisorStrategy strategy)
    {
        var parent = ActorOf(Props.Create(() => new Supervisor(TestActor)).WithSupervisorStrategy(strategy), "parent");
        parent.Tell("start");
        var child = ExpectMsg<IActorRef>();
        ExpectMsg<Reporter.Event>(e => e.What == "PreStart");
        return child;
    }

    private static void Fail(IActorRef child) => child.Tell(new Reporter.Boom(new InvalidOperationException("again")));

    private void ExpectRestart()
    {
        ExpectMsg<Reporter.Event>(e => e.What == "PreRestart:again");
        ExpectMsg<Reporter.Event>(e => e.What == "PostStop");
        ExpectMsg<Reporter.Event>(e => e.What == "PostRestart");
        ExpectMsg<Reporter.Event>(e => e.What == "PreStart");
    }

    private sealed class Supervisor : ReceiveActor
    {
        public Supervisor(IActorRef probe) => Receive<string>(_ =>
        {
            var child = Context.ActorOf(Props.Create(() => new Reporter(probe)), "child");
            probe.Tell(child);
        });
    }
}
