using IsmFabric.Actors.TestKit;
using Microsoft.Extensions.Logging;
using Xunit;
using Xunit.Abstractions;

namespace IsmFabric.Actors.Tests;

public sealed class LifecycleSpec : TestKit.TestKit
{
    public LifecycleSpec(ITestOutputHelper output)
        : base(output)
    {
    }

    [Fact]
    public void Actors_have_hierarchical_paths_built_from_their_names()
    {
        var parent = ActorOf(Props.Create(() => new Spawner()), "devices");
        parent.Tell("ism0");
        var child = ExpectMsg<IActorRef>();
        Assert.Equal("ism://test/user/devices", parent.Path.ToString());
        Assert.Equal("ism://test/user/devices/ism0", child.Path.ToString());
        Assert.Equal(["user", "devices", "ism0"], child.Path.Elements);
        Assert.Equal(parent.Path, child.Path.Parent);
    }

    [Fact]
    public void A_name_in_use_by_a_living_sibling_is_rejected_and_free_again_after_it_stops()
    {
        var first = ActorOf(Props.Create(() => new Echo()), "unique");
        Assert.Throws<InvalidActorNameException>(() => ActorOf(Props.Create(() => new Echo()), "unique"));
        Assert.Throws<InvalidActorNameException>(() => ActorOf(Props.Create(() => new Echo()), "has/slash"));
        Assert.Throws<InvalidActorNameException>(() => ActorOf(Props.Create(() => new Echo()), "$reserved"));
        Watch(first);
        Sys.Stop(first);
        ExpectTerminated(first);
        AwaitAssert(() => ActorOf(Props.Create(() => new Echo()), "unique"));
    }

    [Fact]
    public void Unnamed_actors_get_distinct_generated_names()
    {
        var a = ActorOf(Props.Create(() => new Echo()));
        var b = ActorOf(Props.Create(() => new Echo()));
        Assert.StartsWith("$", a.Path.Name, StringComparison.Ordinal);
        Assert.NotEqual(a.Path, b.Path);
    }

    [Fact]
    public void Lifecycle_hooks_run_PreStart_first_and_PostStop_last()
    {
        var actor = ActorOf(Props.Create(() => new Reporter(TestActor)), "r");
        actor.Tell("hello");
        ExpectMsg<Reporter.Event>(e => e.What == "PreStart");
        ExpectMsg("hello");
        Sys.Stop(actor);
        ExpectMsg<Reporter.Event>(e => e.What == "PostStop");
    }

    [Fact]
    public void PoisonPill_stops_the_actor_after_the_messages_queued_before_it()
    {
        var actor = ActorOf(Props.Create(() => new Reporter(TestActor)), "r");
        ExpectMsg<Reporter.Event>(e => e.What == "PreStart");
        actor.Tell("a");
        actor.Tell("b");
        actor.Tell(PoisonPill.Instance);
        actor.Tell("after");
        ExpectMsg("a");
        ExpectMsg("b");
        ExpectMsg<Reporter.Event>(e => e.What == "PostStop");
        ExpectNoMsg();
    }

    [Fact]
    public void Context_Stop_of_self_stops_after_the_current_message()
    {
        var actor = ActorOf(Props.Create(() => new SelfStopper(TestActor)), "s");
        Watch(actor);
        actor.Tell("stop");
        actor.Tell("never");
        ExpectMsg("stopping");
        ExpectTerminated(actor);
        ExpectNoMsg();
    }

    [Fact]
    public void Messages_to_a_dead_actor_are_counted_published_and_logged_as_dead_letters()
    {
        var log = new CapturingLoggerFactory();
        using var system = ActorSystem.Create("dl", new ActorSystemSettings { LoggerFactory = log });
        var listener = CreateTestProbe();
        system.EventStream.Subscribe(listener.Ref, typeof(DeadLetter));
        var echo = system.ActorOf(Props.Create(() => new Echo()), "echo");
        system.Stop(echo);
        AwaitCondition(() => system.DeadLetterCount == 0 && echo is not null);
        AwaitAssert(() =>
        {
            echo.Tell("lost", TestActor);
            var dl = listener.ExpectMsg<DeadLetter>(TimeSpan.FromMilliseconds(200));
            Assert.Equal("lost", dl.Message);
            Assert.Same(echo, dl.Recipient);
            Assert.Same(TestActor, dl.Sender);
        });
        Assert.True(system.DeadLetterCount >= 1);
        Assert.Contains(log.Lines, l => l.Category == "IsmFabric.Actors.DeadLetters" && l.Text.Contains("String", StringComparison.Ordinal));
    }

    [Fact]
    public void Unhandled_messages_are_counted_published_and_logged()
    {
        var log = new CapturingLoggerFactory();
        using var system = ActorSystem.Create("unhandled", new ActorSystemSettings { LoggerFactory = log });
        var listener = CreateTestProbe();
        system.EventStream.Subscribe(listener.Ref, typeof(UnhandledMessage));
        var actor = system.ActorOf(Props.Create(() => new OnlyInts()), "ints");
        actor.Tell("not an int", TestActor);
        var unhandled = listener.ExpectMsg<UnhandledMessage>();
        Assert.Equal("not an int", unhandled.Message);
        Assert.Same(actor, unhandled.Recipient);
        Assert.Equal(1, system.UnhandledMessageCount);
        Assert.Contains(log.Lines, l => l.Level == LogLevel.Warning && l.Category == "IsmFabric.Actors.UnhandledMessages");
    }

    [Fact]
    public void One_argument_Tell_from_inside_an_actor_sends_with_the_actor_as_sender_and_Forward_keeps_the_sender()
    {
        var echo = ActorOf(Props.Create(() => new Echo()), "echo");
        var relay = ActorOf(Props.Create(() => new Relay(echo)), "relay");
        relay.Tell("forward-me");
        ExpectMsg("forward-me");
        Assert.Same(echo, Probe.LastSender);
        relay.Tell(7);
        ExpectMsg(7);
        Assert.Same(relay, Probe.LastSender);
    }

    [Fact]
    public void Identify_is_answered_with_the_actor_reference()
    {
        var echo = ActorOf(Props.Create(() => new Echo()), "echo");
        echo.Tell(new Identify(42));
        var identity = ExpectMsg<ActorIdentity>();
        Assert.Equal(42, identity.MessageId);
        Assert.Same(echo, identity.Subject);
    }

    [Fact]
    public void Become_and_Unbecome_switch_the_behavior()
    {
        var actor = ActorOf(Props.Create(() => new Switch()), "switch");
        actor.Tell("state");
        ExpectMsg("off");
        actor.Tell("toggle");
        actor.Tell("state");
        ExpectMsg("on");
        actor.Tell("toggle");
        actor.Tell("state");
        ExpectMsg("off");
    }

    [Fact]
    public void The_event_stream_delivers_subtypes_of_a_subscribed_type_until_unsubscribed()
    {
        var probe = CreateTestProbe();
        Sys.EventStream.Subscribe(probe.Ref, typeof(Exception));
        Sys.EventStream.Publish(new IOException("io"));
        Sys.EventStream.Publish("not an exception");
        Assert.IsType<IOException>(probe.ExpectMsg<Exception>());
        Sys.EventStream.Unsubscribe(probe.Ref);
        Sys.EventStream.Publish(new IOException("io"));
        probe.ExpectNoMsg();
    }

    [Fact]
    public void Invalid_settings_are_rejected_with_the_setting_named()
    {
        var ex = Assert.Throws<ArgumentException>(() => ActorSystem.Create("bad", new ActorSystemSettings { Throughput = 0 }));
        Assert.Contains("Throughput", ex.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => ActorSystem.Create("bad name"));
    }

    [Fact]
    public void Creating_an_actor_with_new_instead_of_ActorOf_fails()
    {
        Assert.Throws<ActorInitializationException>(() => new Echo());
    }

    private sealed class Spawner : ReceiveActor
    {
        public Spawner() => Receive<string>(name => Sender.Tell(Context.ActorOf(Props.Create(() => new Echo()), name)));
    }

    private sealed class SelfStopper : ReceiveActor
    {
        public SelfStopper(IActorRef probe) => Receive<string>(s =>
        {
            probe.Tell(s == "stop" ? "stopping" : s);
            Context.Stop(Self);
        });
    }

    private sealed class OnlyInts : ReceiveActor
    {
        public OnlyInts() => Receive<int>(_ => { });
    }

    private sealed class Relay : ReceiveActor
    {
        public Relay(IActorRef target)
        {
            Receive<string>(s => target.Forward(s));
            Receive<int>(i => Sender.Tell(i));
        }
    }

    private sealed class Switch : ReceiveActor
    {
        public Switch() => Off();

        private void Off()
        {
            Receive<string>(_ => Sender.Tell("off"), s => s == "state");
            Receive<string>(_ => BecomeStacked(On), s => s == "toggle");
        }

        private void On()
        {
            Receive<string>(_ => Sender.Tell("on"), s => s == "state");
            Receive<string>(_ => Unbecome(), s => s == "toggle");
        }
    }
}
