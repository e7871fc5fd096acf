using IsmFabric.Actors.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace IsmFabric.Actors.Tests;

public sealed class AskSpec : TestKit.TestKit
{
    public AskSpec(ITestOutputHelper output)
        : base(output, new TestKitSettings { UseTestScheduler = true })
    {
    }

    [Fact]
    public async Task Ask_returns_the_reply()
    {
        var echo = ActorOf(Props.Create(() => new Echo()));
        Assert.Equal("hi", await echo.Ask<string>("hi", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task An_ask_without_a_reply_times_out_with_AskTimeoutException()
    {
        var silent = CreateTestProbe();
        var ask = silent.Ref.Ask<string>("anyone?", TimeSpan.FromSeconds(3));
        silent.ExpectMsg("anyone?");
        Scheduler.Advance(TimeSpan.FromSeconds(2.999));
        await Task.Delay(50);
        Assert.False(ask.IsCompleted);
        Scheduler.Advance(TimeSpan.FromMilliseconds(1));
        var ex = await Assert.ThrowsAsync<AskTimeoutException>(() => ask);
        Assert.Contains(silent.Ref.Path.ToString(), ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_Status_Failure_reply_fails_the_ask_with_its_exception()
    {
        var probe = CreateTestProbe();
        var ask = probe.Ref.Ask("q", TimeSpan.FromSeconds(5));
        probe.ExpectMsg("q");
        var cause = new InvalidOperationException("nope");
        probe.Reply(new Status.Failure(cause));
        Assert.Same(cause, await Assert.ThrowsAsync<InvalidOperationException>(() => ask));
    }

    [Fact]
    public async Task A_reply_of_the_wrong_type_fails_with_InvalidCastException()
    {
        var echo = ActorOf(Props.Create(() => new Echo()));
        await Assert.ThrowsAsync<InvalidCastException>(() => echo.Ask<int>("not an int", TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Cancelling_the_token_cancels_the_ask()
    {
        var probe = CreateTestProbe();
        using var cts = new CancellationTokenSource();
        var ask = probe.Ref.Ask("q", Timeout.InfiniteTimeSpan, cts.Token);
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ask);
    }

    [Fact]
    public async Task The_reply_to_reference_can_be_put_inside_the_question()
    {
        var probe = CreateTestProbe();
        var ask = probe.Ref.Ask<string>(replyTo => new Question(replyTo), TimeSpan.FromSeconds(5));
        probe.ExpectMsg<Question>().ReplyTo.Tell("answer", null);
        Assert.Equal("answer", await ask);
    }

    private sealed record Question(IActorRef ReplyTo);
}
