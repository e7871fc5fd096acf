using IsmFabric.Actors.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace IsmFabric.Actors.Tests;

public sealed class TimerSpec : TestKit.TestKit
{
    public TimerSpec(ITestOutputHelper output)
        : base(output, new TestKitSettings { UseTestScheduler = true })
    {
    }

    [Fact]
    public void A_single_timer_fires_once_after_its_delay_on_the_test_clock()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor)), "t");
        actor.Tell(new TimerActor.Single("tick", TimeSpan.FromSeconds(5)));
        ExpectMsg("armed");
        Scheduler.Advance(TimeSpan.FromSeconds(4.999));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Scheduler.Advance(TimeSpan.FromMilliseconds(1));
        ExpectMsg("tick");
        Scheduler.Advance(TimeSpan.FromMinutes(1));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        actor.Tell("active?");
        ExpectMsg(false);
    }

    [Fact]
    public void A_periodic_timer_fires_every_interval_until_cancelled()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor)), "t");
        actor.Tell(new TimerActor.Periodic("beat", TimeSpan.FromSeconds(1)));
        ExpectMsg("armed");
        Scheduler.Advance(TimeSpan.FromSeconds(3));
        ExpectMsg("beat");
        ExpectMsg("beat");
        ExpectMsg("beat");
        actor.Tell("cancel");
        ExpectMsg("cancelled");
        Scheduler.Advance(TimeSpan.FromSeconds(3));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Starting_a_timer_with_a_key_in_use_replaces_the_old_timer()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor)), "t");
        actor.Tell(new TimerActor.Single("first", TimeSpan.FromSeconds(1)));
        ExpectMsg("armed");
        actor.Tell(new TimerActor.Single("second", TimeSpan.FromSeconds(2)));
        ExpectMsg("armed");
        Scheduler.Advance(TimeSpan.FromSeconds(5));
        ExpectMsg("second");
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
    }

    [Fact]
    public void Timers_are_cancelled_when_the_actor_stops()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor)), "t");
        actor.Tell(new TimerActor.Periodic("beat", TimeSpan.FromSeconds(1)));
        ExpectMsg("armed");
        Watch(actor);
        Sys.Stop(actor);
        ExpectTerminated(actor);
        Assert.Equal(0, Scheduler.PendingCount);
        var deadBefore = Sys.DeadLetterCount;
        Scheduler.Advance(TimeSpan.FromSeconds(10));
        Assert.Equal(deadBefore, Sys.DeadLetterCount);
    }

    [Fact]
    public void Timers_are_cancelled_when_the_actor_restarts()
    {
        var actor = ActorOf(Props.Create(() => new TimerActor(TestActor)), "t");
        actor.Tell(new TimerActor.Single("stale", TimeSpan.FromSeconds(1)));
        ExpectMsg("armed");
        actor.Tell("fail");
        ExpectMsg("restarted");
        Assert.Equal(0, Scheduler.PendingCount);
        Scheduler.Advance(TimeSpan.FromSeconds(2));
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        ExpectFailure<InvalidOperationException>();
    }

    [Fact]
    public void A_timer_message_can_be_stashed_and_is_delivered_when_unstashed()
    {
        var actor = ActorOf(Props.Create(() => new StashingTimerActor(TestActor)), "t");
        ExpectMsg("armed");
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        actor.Tell("count");
        ExpectMsg(1);
        actor.Tell("open");
        ExpectMsg("tick");
    }

    [Fact]
    public void The_test_scheduler_runs_due_actions_in_due_order_and_never_early()
    {
        var clock = new TestScheduler();
        var log = new List<string>();
        clock.ScheduleOnce(TimeSpan.FromSeconds(3), () => log.Add("c@" + clock.MonotonicClock.TotalSeconds));
        clock.ScheduleOnce(TimeSpan.FromSeconds(1), () => log.Add("a@" + clock.MonotonicClock.TotalSeconds));
        var cancelled = clock.ScheduleOnce(TimeSpan.FromSeconds(2), () => log.Add("cancelled"));
        clock.ScheduleRepeatedly(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.5), () => log.Add("r@" + clock.MonotonicClock.TotalSeconds));
        cancelled.Cancel();
        clock.Advance(TimeSpan.FromSeconds(0.5));
        Assert.Empty(log);
        clock.Advance(TimeSpan.FromSeconds(3.5));
        Assert.Equal(["a@1", "r@1", "r@2.5", "c@3", "r@4"], log);
        Assert.Equal(TimeSpan.FromSeconds(4), clock.MonotonicClock);
    }

    private sealed class StashingTimerActor : ReceiveActor
    {
        public StashingTimerActor(IActorRef probe)
        {
            Receive<string>(_ => probe.Tell(Stash.Count), s => s == "count");
            Receive<string>(_ =>
            {
                Become(() => Receive<string>(s => probe.Tell(s)));
                Stash.UnstashAll();
            }, s => s == "open");
            Receive<string>(_ => Stash.Stash());
            Probe = probe;
        }

        private IActorRef Probe { get; }

        protected override void PreStart()
        {
            Timers.StartSingleTimer("tick", "tick", TimeSpan.FromSeconds(1));
            Probe.Tell("armed");
        }
    }

    private sealed class TimerActor : ReceiveActor
    {
        public TimerActor(IActorRef probe)
        {
            Receive<Single>(s =>
            {
                Timers.StartSingleTimer("key", s.Message, s.Delay);
                probe.Tell("armed");
            });
            Receive<Periodic>(p =>
            {
                Timers.StartPeriodicTimer("key", p.Message, p.Interval);
                probe.Tell("armed");
            });
            Receive<string>(_ =>
            {
                Timers.Cancel("key");
                probe.Tell("cancelled");
            }, s => s == "cancel");
            Receive<string>(_ => probe.Tell(Timers.IsTimerActive("key")), s => s == "active?");
            Receive<string>(_ => throw new InvalidOperationException("fail"), s => s == "fail");
            Receive<string>(s => probe.Tell(s));
            Probe = probe;
        }

        private IActorRef Probe { get; }

        protected override void PostRestart(Exception reason) => Probe.Tell("restarted");

        public sealed record Single(string Message, TimeSpan Delay);

        public sealed record Periodic(string Message, TimeSpan Interval);
    }
}
