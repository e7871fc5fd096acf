using IsmFabric.Actors.TestKit;
using Xunit;
using Xunit.Sdk;

namespace IsmFabric.Actors.Tests;

public sealed class TestKitSpec
{
    [Fact]
    public void Disposing_the_test_kit_fails_the_test_when_an_actor_crashed_unexpectedly()
    {
        var kit = new TestKit.TestKit();
        var actor = kit.ActorOf(Props.Create(() => new Reporter(kit.TestActor)), "crashy");
        actor.Tell(new Reporter.Boom(new InvalidOperationException("unexpected")));
        kit.AwaitCondition(() => kit.Failures.Count == 1);
        var ex = Assert.Throws<XunitException>(kit.Dispose);
        Assert.Contains("crashy", ex.Message, StringComparison.Ordinal);
        Assert.Contains("unexpected", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failure_claimed_with_ExpectFailure_does_not_fail_the_test()
    {
        var kit = new TestKit.TestKit();
        var actor = kit.ActorOf(Props.Create(() => new Reporter(kit.TestActor)), "crashy");
        actor.Tell(new Reporter.Boom(new InvalidOperationException("expected")));
        Assert.Equal(Directive.Restart, kit.ExpectFailure<InvalidOperationException>().Directive);
        kit.Dispose();
        Assert.True(kit.Sys.WhenTerminated.IsCompleted);
    }

    [Fact]
    public void A_second_failure_of_the_same_type_is_not_covered_by_one_ExpectFailure()
    {
        var kit = new TestKit.TestKit();
        var actor = kit.ActorOf(Props.Create(() => new Reporter(kit.TestActor)), "crashy");
        actor.Tell(new Reporter.Boom(new InvalidOperationException("one")));
        actor.Tell(new Reporter.Boom(new InvalidOperationException("two")));
        kit.ExpectFailure<InvalidOperationException>();
        kit.AwaitCondition(() => kit.Failures.Count == 2);
        Assert.Throws<XunitException>(kit.Dispose);
    }

    [Fact]
    public void ExpectMsg_fails_with_a_clear_message_on_timeout_and_on_a_wrong_message()
    {
        using var kit = new TestKit.TestKit();
        var timeout = Assert.Throws<XunitException>(() => kit.ExpectMsg<string>(TimeSpan.FromMilliseconds(50)));
        Assert.Contains("Timeout", timeout.Message, StringComparison.Ordinal);
        kit.TestActor.Tell(1, null);
        var wrong = Assert.Throws<XunitException>(() => kit.ExpectMsg("one"));
        Assert.Contains("Int32", wrong.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExpectNoMsg_fails_when_a_message_arrives()
    {
        using var kit = new TestKit.TestKit();
        kit.TestActor.Tell("surprise", null);
        Assert.Throws<XunitException>(() => kit.ExpectNoMsg(TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public void AwaitAssert_retries_until_the_assertion_holds_and_rethrows_it_after_the_deadline()
    {
        using var kit = new TestKit.TestKit();
        var tries = 0;
        kit.AwaitAssert(() => Assert.True(++tries >= 3), TimeSpan.FromSeconds(5), TimeSpan.FromMilliseconds(1));
        Assert.Equal(3, tries);
        Assert.Throws<TrueException>(() => kit.AwaitAssert(() => Assert.True(false), TimeSpan.FromMilliseconds(50)));
    }

    [Fact]
    public void ExpectTerminated_fails_for_an_actor_that_keeps_running()
    {
        using var kit = new TestKit.TestKit();
        var echo = kit.ActorOf(Props.Create(() => new Echo()));
        kit.Watch(echo);
        Assert.Throws<XunitException>(() => kit.ExpectTerminated(echo, TimeSpan.FromMilliseconds(100)));
    }
}
