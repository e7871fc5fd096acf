using Xunit;

namespace IsmFabric.Actors.Tests;

public sealed class SystemSchedulerSpec
{
    [Fact]
    public async Task The_real_scheduler_runs_an_action_after_its_delay_and_not_a_cancelled_one()
    {
        var scheduler = new SystemScheduler();
        var ran = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var cancelledRan = false;
        var cancelled = scheduler.ScheduleOnce(TimeSpan.FromMilliseconds(20), () => cancelledRan = true);
        cancelled.Cancel();
        var start = scheduler.MonotonicClock;
        scheduler.ScheduleOnce(TimeSpan.FromMilliseconds(50), ran.SetResult);
        await ran.Task.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.True(scheduler.MonotonicClock - start >= TimeSpan.FromMilliseconds(45));
        Assert.False(cancelledRan);
        Assert.True(cancelled.IsCancellationRequested);
    }

    [Fact]
    public async Task A_repeated_action_runs_until_cancelled()
    {
        var scheduler = new SystemScheduler();
        var count = 0;
        var three = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ICancelable? handle = null;
        handle = scheduler.ScheduleRepeatedly(TimeSpan.Zero, TimeSpan.FromMilliseconds(10), () =>
        {
            if (Interlocked.Increment(ref count) == 3)
            {
                handle!.Cancel();
                three.SetResult();
            }
        });
        await three.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await Task.Delay(100);
        Assert.Equal(3, Volatile.Read(ref count));
    }

    [Fact]
    public async Task Ask_on_the_real_clock_times_out_with_AskTimeoutException()
    {
        using var system = ActorSystem.Create("realtime");
        var sink = system.ActorOf(Props.Create(() => new Sink()));
        await Assert.ThrowsAsync<AskTimeoutException>(() => sink.Ask("hello?", TimeSpan.FromMilliseconds(100)));
    }

    [Fact]
    public void Top_level_actors_can_be_created_from_many_threads_at_once_with_unique_names()
    {
        using var system = ActorSystem.Create("parallel");
        var refs = new System.Collections.Concurrent.ConcurrentBag<IActorRef>();
        Parallel.For(0, 2000, i => refs.Add(system.ActorOf(Props.Create(() => new Sink()), "a" + i)));
        Assert.Equal(2000, refs.Select(r => r.Path).Distinct().Count());
        Assert.Throws<InvalidActorNameException>(() => system.ActorOf(Props.Create(() => new Sink()), "a7"));
    }

    private sealed class Sink : ReceiveActor
    {
        public Sink() => ReceiveAny(_ => { });
    }
}
