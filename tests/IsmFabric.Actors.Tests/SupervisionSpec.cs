using IsmFabric.Actors.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace IsmFabric.Actors.Tests;

public sealed class SupervisionSpec : TestKit.TestKit
{
    public SupervisionSpec(ITestOutputHelper output)
        : base(output)
    {
    }

    [Fact]
    public void Restart_drops_only_the_failing_message_and_keeps_the_mailbox()
    {
        using var gate = new ManualResetEventSlim();
        var actor = ActorOf(Props.Create(() => new Gated(TestActor, gate)), "gated");
        actor.Tell("wait");
        actor.Tell(1);
        actor.Tell(2);
        actor.Tell(new Gated.Fail("boom"));
        actor.Tell(3);
        actor.Tell(4);
        gate.Set();

        ExpectMsg("waited");
        ExpectMsg(1);
        ExpectMsg(2);
        ExpectMsg("PreRestart:boom");
        ExpectMsg("PostRestart");
        ExpectMsg(3);
        ExpectMsg(4);
        ExpectNoMsg();
        ExpectFailure<InvalidOperationException>();
    }

    [Fact]
    public void Restart_replaces_the_instance_so_its_state_starts_over()
    {
        var actor = ActorOf(Props.Create(() => new Reporter(TestActor)), "r");
        ExpectMsg<Reporter.Event>(e => e.What == "PreStart");
        actor.Tell(5);
        ExpectMsg(5);
        actor.Tell(new Reporter.Boom(new InvalidOperationException("x")));
        ExpectMsg<Reporter.Event>(e => e.What == "PreRestart:x");
        ExpectMsg<Reporter.Event>(e => e.What == "PostStop");
        ExpectMsg<Reporter.Event>(e => e.What == "PostRestart");
        ExpectMsg<Reporter.Event>(e => e.What == "PreStart");
        actor.Tell("state");
        ExpectMsg(0);
        ExpectFailure<InvalidOperationException>();
    }

    [Fact]
    public void Resume_keeps_the_state_and_drops_only_the_failing_message()
    {
        var parent = ActorOf(Props.Create(() => new Parent(new OneForOneStrategy(_ => Directive.Resume), TestActor)), "parent");
        var child = ExpectChildStarted();
        child.Tell(5);
        ExpectMsg(5);
        child.Tell(new Reporter.Boom(new InvalidOperationException("resume me")));
        child.Tell(2);
        ExpectMsg(2);
        child.Tell("state");
        ExpectMsg(7);
        Assert.Single(Failures, f => f.Directive == Directive.Resume);
        ExpectFailure<InvalidOperationException>();
        _ = parent;
    }

    [Fact]
    public void Stop_directive_stops_the_failed_child()
    {
        ActorOf(Props.Create(() => new Parent(SupervisorStrategy.StoppingStrategy, TestActor)), "parent");
        var child = ExpectChildStarted();
        Watch(child);
        child.Tell(new Reporter.Boom(new InvalidOperationException("stop me")));
        ExpectMsg<Reporter.Event>(e => e.What == "PostStop");
        ExpectTerminated(child);
        ExpectFailure<InvalidOperationException>();
    }

    [Fact]
    public void Decider_picks_the_directive_of_the_most_specific_exception_type()
    {
        var decider = Decider.From(
            Directive.Escalate,
            (typeof(Exception), Directive.Stop),
            (typeof(IOException), Directive.Resume),
            (typeof(FileNotFoundException), Directive.Restart));
        Assert.Equal(Directive.Restart, decider(new FileNotFoundException()));
        Assert.Equal(Directive.Resume, decider(new EndOfStreamException()));
        Assert.Equal(Directive.Stop, decider(new InvalidOperationException()));
        Assert.Equal(Directive.Stop, SupervisorStrategy.DefaultDecider(new ActorInitializationException("x")));
        Assert.Equal(Directive.Stop, SupervisorStrategy.DefaultDecider(new ActorKilledException("x")));
        Assert.Equal(Directive.Restart, SupervisorStrategy.DefaultDecider(new IOException()));
    }

    [Fact]
    public void Escalation_reaches_the_parent_whose_own_supervisor_sees_the_original_exception()
    {
        var seen = new List<Exception>();
        var grandStrategy = new OneForOneStrategy(ex =>
        {
            lock (seen)
            {
                seen.Add(ex);
            }

            return Directive.Stop;
        });
        var grand = ActorOf(Props.Create(() => new Parent(grandStrategy, TestActor, childIsParent: true)), "grand");
        var started = ReceiveN(3);
        var refs = started.OfType<IActorRef>().ToList();
        var parent = Assert.Single(refs, r => r.Path == grand.Path / "child");
        var child = Assert.Single(refs, r => r.Path == grand.Path / "child" / "child");
        Watch(parent);
        Watch(child);
        var boom = new InvalidOperationException("escalate me");
        child.Tell(new Reporter.Boom(boom));

        var after = ReceiveN(3);
        Assert.Contains(after, m => m is Reporter.Event { What: "PostStop" });
        Assert.Contains(after, m => m is Terminated t && t.ActorRef == child);
        Assert.Contains(after, m => m is Terminated t && t.ActorRef == parent);
        lock (seen)
        {
            Assert.Same(boom, Assert.Single(seen));
        }

        Assert.Contains(Failures, f => f.Actor == child && f.Directive == Directive.Escalate);
        Assert.Contains(Failures, f => f.Actor == parent && f.Directive == Directive.Stop && ReferenceEquals(f.Cause, boom));
        AllowFailures<InvalidOperationException>();
    }

    [Fact]
    public void One_for_one_restarts_only_the_failed_child()
    {
        ActorOf(Props.Create(() => new TwoChildren(new OneForOneStrategy(_ => Directive.Restart), TestActor)), "p");
        var (a, _) = ExpectTwoChildren();
        a.Tell(new Reporter.Boom(new InvalidOperationException("a")));
        var events = ReceiveN(4).Cast<Reporter.Event>().ToList();
        Assert.All(events, e => Assert.Equal("a", e.Name));
        Assert.Equal(["PreRestart:a", "PostStop", "PostRestart", "PreStart"], events.Select(e => e.What));
        ExpectNoMsg();
        ExpectFailure<InvalidOperationException>();
    }

    [Fact]
    public void All_for_one_restarts_every_child_when_one_fails()
    {
        ActorOf(Props.Create(() => new TwoChildren(new AllForOneStrategy(_ => Directive.Restart), TestActor)), "p");
        var (a, _) = ExpectTwoChildren();
        a.Tell(new Reporter.Boom(new InvalidOperationException("a")));
        var events = ReceiveN(8).Cast<Reporter.Event>().ToList();
        Assert.Equal(["PreRestart:a", "PostStop", "PostRestart", "PreStart"], events.Where(e => e.Name == "a").Select(e => e.What));
        Assert.Equal(["PreRestart:", "PostStop", "PostRestart", "PreStart"], events.Where(e => e.Name == "b").Select(e => e.What));
        Assert.Contains(events, e => e.Name == "b" && e.What == "PostRestart");
        ExpectNoMsg();
        ExpectFailure<InvalidOperationException>();
    }

    [Fact]
    public void All_for_one_stop_stops_every_child()
    {
        ActorOf(Props.Create(() => new TwoChildren(new AllForOneStrategy(_ => Directive.Stop), TestActor)), "p");
        var (a, b) = ExpectTwoChildren();
        Watch(a);
        Watch(b);
        a.Tell(new Reporter.Boom(new InvalidOperationException("a")));
        var got = ReceiveN(4);
        Assert.Equal(2, got.OfType<Terminated>().Count());
        Assert.Equal(2, got.OfType<Reporter.Event>().Count(e => e.What == "PostStop"));
        ExpectFailure<InvalidOperationException>();
    }

    [Fact]
    public void A_constructor_that_throws_stops_the_actor_with_ActorInitializationException()
    {
        var actor = ActorOf(Props.Create<Throwing>(), "t");
        Watch(actor);
        ExpectTerminated(actor);
        var failure = ExpectFailure<ActorInitializationException>();
        Assert.Equal(Directive.Stop, failure.Directive);
        Assert.IsType<NotSupportedException>(failure.Cause.InnerException);
    }

    [Fact]
    public void Kill_makes_the_actor_fail_with_ActorKilledException_and_the_default_strategy_stops_it()
    {
        var actor = ActorOf(Props.Create(() => new Reporter(TestActor)), "k");
        ExpectMsg<Reporter.Event>(e => e.What == "PreStart");
        Watch(actor);
        actor.Tell(Kill.Instance);
        ExpectMsg<Reporter.Event>(e => e.What == "PostStop");
        ExpectTerminated(actor);
        Assert.Equal(Directive.Stop, ExpectFailure<ActorKilledException>().Directive);
    }

    [Fact]
    public void Default_PreRestart_stops_the_children_and_the_new_instance_creates_them_again()
    {
        var parent = ActorOf(Props.Create(() => new Parent(SupervisorStrategy.DefaultStrategy, TestActor)), "parent");
        var child1 = ExpectChildStarted();
        parent.Tell(new Reporter.Boom(new InvalidOperationException("parent fails")));
        ExpectMsg<Reporter.Event>(e => e.What == "PostStop");
        var child2 = ExpectChildStarted();
        Assert.NotSame(child1, child2);
        Assert.Equal(child1.Path, child2.Path);
        ExpectFailure<InvalidOperationException>();
    }

    // A parent tells its child's ref from its constructor while the child starts on another thread: either may come first.
    private IActorRef ExpectChildStarted()
    {
        var messages = ReceiveN(2);
        Assert.Single(messages.OfType<Reporter.Event>(), e => e.What == "PreStart");
        return Assert.Single(messages.OfType<IActorRef>());
    }

    private (IActorRef A, IActorRef B) ExpectTwoChildren()
    {
        var messages = ReceiveN(3);
        Assert.Equal(2, messages.OfType<Reporter.Event>().Count(e => e.What == "PreStart"));
        return Assert.Single(messages.OfType<(IActorRef, IActorRef)>());
    }

    /// <summary>Creates one Reporter child ("child") and tells its ref to the probe; fails on Boom itself.</summary>
    private sealed class Parent : ReceiveActor
    {
        private readonly SupervisorStrategy _strategy;

        public Parent(SupervisorStrategy strategy, IActorRef probe, bool childIsParent = false)
        {
            _strategy = strategy;
            var child = childIsParent
                ? Context.ActorOf(Props.Create(() => new Parent(new OneForOneStrategy(_ => Directive.Escalate), probe, false)), "child")
                : Context.ActorOf(Props.Create(() => new Reporter(probe)), "child");
            probe.Tell(child);
            Receive<Reporter.Boom>(b => throw b.Exception);
        }

        protected internal override SupervisorStrategy SupervisorStrategy() => _strategy;
    }

    private sealed class TwoChildren : ReceiveActor
    {
        private readonly SupervisorStrategy _strategy;

        public TwoChildren(SupervisorStrategy strategy, IActorRef probe)
        {
            _strategy = strategy;
            var a = Context.ActorOf(Props.Create(() => new Reporter(probe)), "a");
            var b = Context.ActorOf(Props.Create(() => new Reporter(probe)), "b");
            probe.Tell((a, b));
        }

        protected internal override SupervisorStrategy SupervisorStrategy() => _strategy;
    }

    private sealed class Throwing : ActorBase
    {
        public Throwing() => throw new NotSupportedException("no");

        protected internal override bool Receive(object message) => true;
    }

    private sealed class Gated : ReceiveActor
    {
        private readonly IActorRef _probe;

        public Gated(IActorRef probe, ManualResetEventSlim gate)
        {
            _probe = probe;
            Receive<string>(_ =>
            {
                gate.Wait();
                probe.Tell("waited");
            });
            Receive<int>(i => probe.Tell(i));
            Receive<Fail>(f => throw new InvalidOperationException(f.Reason));
        }

        protected override void PreRestart(Exception reason, object? message)
        {
            _probe.Tell("PreRestart:" + ((Fail)message!).Reason);
            base.PreRestart(reason, message);
        }

        protected override void PostRestart(Exception reason) => _probe.Tell("PostRestart");

        public sealed record Fail(string Reason);
    }
}
