using IsmFabric.Actors.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace IsmFabric.Actors.Tests;

public sealed class BackoffSupervisorSpec : TestKit.TestKit
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(1);

    public BackoffSupervisorSpec(ITestOutputHelper output)
        : base(output, new TestKitSettings { UseTestScheduler = true })
    {
        AllowFailures<InvalidOperationException>();
        AllowFailures<ActorInitializationException>();
    }

    [Fact]
    public void Backoff_delays_follow_the_configured_exponential_curve_on_the_test_clock()
    {
        var options = BackoffOptions.OnFailure(
            Props.Create(() => new FailOnStart(TestActor, Scheduler)), "worker", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(8), randomFactor: 0);
        var supervisor = ActorOf(BackoffSupervisor.Props(options), "backoff");
        var started = ExpectMsg<TimeSpan>();
        var expected = new[] { 1, 2, 4, 8, 8, 8 }.Select(s => TimeSpan.FromSeconds(s)).ToArray();
        for (var i = 0; i < expected.Length; i++)
        {
            AwaitRestartCount(supervisor, i + 1);
            Scheduler.Advance(expected[i] - Tick);
            ExpectNoMsg(TimeSpan.FromMilliseconds(50));
            Scheduler.Advance(Tick);
            var next = ExpectMsg<TimeSpan>();
            Assert.Equal(expected[i], next - started);
            started = next;
        }
    }

    [Fact]
    public void Jittered_delays_stay_within_the_curve_stretched_by_the_random_factor()
    {
        const double factor = 0.5;
        var jitter = new Random(1234);
        var expectedJitter = new Random(1234);
        var options = BackoffOptions.OnFailure(
            Props.Create(() => new FailOnStart(TestActor, Scheduler)), "worker", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10), factor) with
        { Random = jitter };
        var supervisor = ActorOf(BackoffSupervisor.Props(options), "backoff");
        var started = ExpectMsg<TimeSpan>();
        for (var i = 0; i < 5; i++)
        {
            var delay = BackoffSupervisor.CalculateDelay(i, options.MinBackoff, options.MaxBackoff, factor, expectedJitter.NextDouble());
            var floor = TimeSpan.FromSeconds(Math.Min(10, Math.Pow(2, i)));
            Assert.InRange(delay, floor, floor * (1 + factor));
            AwaitRestartCount(supervisor, i + 1);
            Scheduler.Advance(delay - Tick);
            ExpectNoMsg(TimeSpan.FromMilliseconds(50));
            Scheduler.Advance(Tick);
            var next = ExpectMsg<TimeSpan>();
            Assert.Equal(delay, next - started);
            started = next;
        }
    }

    [Fact]
    public void CalculateDelay_is_capped_and_bounded_by_the_jitter_for_any_input()
    {
        var min = TimeSpan.FromMilliseconds(100);
        var max = TimeSpan.FromSeconds(30);
        var property = FsCheck.Fluent.Prop.ForAll<int, double, double>((n, f, r) =>
        {
            var restartCount = Math.Abs(n % 64);
            var factor = double.IsFinite(f) ? Math.Abs(f % 1.0) : 0;
            var random = double.IsFinite(r) ? Math.Abs(r % 1.0) : 0;
            var delay = BackoffSupervisor.CalculateDelay(restartCount, min, max, factor, random);
            var floor = restartCount >= 30 ? max : TimeSpan.FromTicks((long)Math.Min(max.Ticks, min.Ticks * Math.Pow(2, restartCount)));
            return delay >= floor - Tick && delay <= (floor * (1 + factor)) + Tick;
        });
        FsCheck.CheckExtensions.QuickCheckThrowOnFailure(property);
    }

    [Fact]
    public void A_child_that_runs_long_enough_resets_the_curve()
    {
        var options = BackoffOptions.OnFailure(
            Props.Create(() => new FailOnCommand(TestActor)), "worker", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60), 0) with
        { ResetBackoffAfter = TimeSpan.FromSeconds(30) };
        var supervisor = ActorOf(BackoffSupervisor.Props(options), "backoff");
        ExpectMsg("started");
        supervisor.Tell("fail");
        AwaitRestartCount(supervisor, 1);
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        ExpectMsg("started");
        supervisor.Tell("fail");
        AwaitRestartCount(supervisor, 2);
        Scheduler.Advance(TimeSpan.FromSeconds(2));
        ExpectMsg("started");
        Scheduler.Advance(TimeSpan.FromSeconds(30));
        AwaitRestartCount(supervisor, 0);
        supervisor.Tell("fail");
        AwaitRestartCount(supervisor, 1);
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        ExpectMsg("started");
    }

    [Fact]
    public void Messages_to_the_supervisor_are_forwarded_to_the_current_child()
    {
        var options = BackoffOptions.OnFailure(Props.Create(() => new FailOnCommand(TestActor)), "worker", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), 0);
        var supervisor = ActorOf(BackoffSupervisor.Props(options), "backoff");
        ExpectMsg("started");
        supervisor.Tell("hello");
        ExpectMsg("echo:hello");
        supervisor.Tell(GetCurrentChild.Instance);
        Assert.Equal(supervisor.Path / "worker", ExpectMsg<CurrentChild>().Ref!.Path);
    }

    [Fact]
    public void In_OnStop_mode_a_child_that_stops_is_re_created_after_the_backoff()
    {
        var options = BackoffOptions.OnStop(Props.Create(() => new FailOnCommand(TestActor)), "worker", TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(10), 0);
        var supervisor = ActorOf(BackoffSupervisor.Props(options), "backoff");
        ExpectMsg("started");
        supervisor.Tell("stop");
        AwaitRestartCount(supervisor, 1);
        Scheduler.Advance(TimeSpan.FromSeconds(3) - Tick);
        ExpectNoMsg(TimeSpan.FromMilliseconds(50));
        Scheduler.Advance(Tick);
        ExpectMsg("started");
    }

    [Fact]
    public void The_supervisor_stops_after_MaxNrOfRetries_re_creations()
    {
        var options = BackoffOptions.OnFailure(
            Props.Create(() => new FailOnStart(TestActor, Scheduler)), "worker", TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), 0) with
        { MaxNrOfRetries = 2 };
        var supervisor = ActorOf(BackoffSupervisor.Props(options), "backoff");
        Watch(supervisor);
        ExpectMsg<TimeSpan>();
        AwaitRestartCount(supervisor, 1);
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        ExpectMsg<TimeSpan>();
        AwaitRestartCount(supervisor, 2);
        Scheduler.Advance(TimeSpan.FromSeconds(1));
        ExpectMsg<TimeSpan>();
        ExpectTerminated(supervisor);
    }

    private void AwaitRestartCount(IActorRef supervisor, int count)
    {
        var probe = CreateTestProbe();
        AwaitAssert(() =>
        {
            supervisor.Tell(GetRestartCount.Instance, probe.Ref);
            Assert.Equal(count, probe.ExpectMsg<RestartCount>().Count);
        });
    }

    /// <summary>Reports the virtual time at which it started, then fails in PreStart.</summary>
    private sealed class FailOnStart : ReceiveActor
    {
        private readonly IActorRef _probe;
        private readonly TestScheduler _clock;

        public FailOnStart(IActorRef probe, TestScheduler clock)
        {
            _probe = probe;
            _clock = clock;
        }

        protected override void PreStart()
        {
            _probe.Tell(_clock.MonotonicClock);
            throw new InvalidOperationException("device not ready");
        }
    }

    private sealed class FailOnCommand : ReceiveActor
    {
        private readonly IActorRef _probe;

        public FailOnCommand(IActorRef probe)
        {
            _probe = probe;
            Receive<string>(_ => throw new InvalidOperationException("told to fail"), s => s == "fail");
            Receive<string>(_ => Context.Stop(Self), s => s == "stop");
            Receive<string>(s => _probe.Tell("echo:" + s));
        }

        protected override void PreStart() => _probe.Tell("started");
    }
}
