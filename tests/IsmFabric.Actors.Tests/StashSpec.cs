using IsmFabric.Actors.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace IsmFabric.Actors.Tests;

public sealed class StashSpec : TestKit.TestKit
{
    public StashSpec(ITestOutputHelper output)
        : base(output)
    {
    }

    [Fact]
    public void Stashed_messages_are_unstashed_in_their_original_order_ahead_of_newer_ones()
    {
        var actor = ActorOf(Props.Create(() => new Gate(TestActor)), "gate");
        for (var i = 0; i < 50; i++)
        {
            actor.Tell(i);
        }

        actor.Tell("open");
        for (var i = 50; i < 100; i++)
        {
            actor.Tell(i);
        }

        ExpectMsg("opened");
        Assert.Equal(Enumerable.Range(0, 100).Cast<object>(), ReceiveN(100));
    }

    [Fact]
    public void Unstash_returns_only_the_oldest_stashed_message()
    {
        var actor = ActorOf(Props.Create(() => new Gate(TestActor)), "gate");
        actor.Tell(1);
        actor.Tell(2);
        actor.Tell(3);
        actor.Tell("one");
        ExpectMsg(1);
        actor.Tell("count");
        ExpectMsg(2);
    }

    [Fact]
    public void The_stash_goes_back_to_the_mailbox_when_the_actor_restarts()
    {
        var actor = ActorOf(Props.Create(() => new Gate(TestActor)), "gate");
        actor.Tell(1);
        actor.Tell(2);
        actor.Tell("fail");
        actor.Tell("open");
        ExpectMsg("opened");
        Assert.Equal([1, 2], ReceiveN(2).Cast<int>());
        ExpectFailure<InvalidOperationException>();
    }

    [Fact]
    public void Stashed_messages_become_dead_letters_when_the_actor_stops()
    {
        var actor = ActorOf(Props.Create(() => new Gate(TestActor)), "gate");
        actor.Tell(1);
        actor.Tell(2);
        actor.Tell("count");
        ExpectMsg(2);
        var before = Sys.DeadLetterCount;
        Watch(actor);
        actor.Tell(PoisonPill.Instance);
        ExpectTerminated(actor);
        Assert.Equal(before + 2, Sys.DeadLetterCount);
    }

    /// <summary>Stashes ints while closed; "open" unstashes all and passes ints through from then on.</summary>
    private sealed class Gate : ReceiveActor
    {
        public Gate(IActorRef probe)
        {
            Receive<int>(_ => Stash.Stash());
            Receive<string>(_ =>
            {
                Become(() => Receive<int>(i => probe.Tell(i)));
                Stash.UnstashAll();
                probe.Tell("opened");
            }, s => s == "open");
            Receive<string>(_ =>
            {
                Stash.Unstash();
                BecomeStacked(() => Receive<int>(i =>
                {
                    probe.Tell(i);
                    UnbecomeStacked();
                }));
            }, s => s == "one");
            Receive<string>(_ => probe.Tell(Stash.Count), s => s == "count");
            Receive<string>(_ => throw new InvalidOperationException("fail"), s => s == "fail");
        }
    }
}
