using System.Diagnostics;
using Xunit;

namespace IsmFabric.Vfio.Tests;

public sealed class EventfdInterruptSourceTests
{
    [Fact]
    public void Wait_returns_the_count_written_to_the_eventfd()
    {
        using var source = EventfdInterruptSource.Create();
        source.Signal(3);

        Assert.Equal(3, source.Wait(TimeSpan.FromSeconds(5)));
        Assert.Equal(0, source.TryConsume());
    }

    [Fact]
    public async Task A_signal_from_another_thread_wakes_a_blocked_wait()
    {
        using var source = EventfdInterruptSource.Create();
        var waiter = Task.Run(() => source.Wait(Timeout.InfiniteTimeSpan));
        await Task.Delay(50);

        source.Signal();

        Assert.Equal(1, await waiter.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Wait_returns_zero_when_the_timeout_passes()
    {
        using var source = EventfdInterruptSource.Create();
        var clock = Stopwatch.StartNew();

        Assert.Equal(0, source.Wait(TimeSpan.FromMilliseconds(100)));
        Assert.InRange(clock.Elapsed, TimeSpan.FromMilliseconds(95), TimeSpan.FromSeconds(5));
    }

    [Fact]
    public async Task Cancellation_returns_zero_promptly_and_leaves_no_stale_wakeup()
    {
        using var source = EventfdInterruptSource.Create();
        using var cts = new CancellationTokenSource();
        var waiter = Task.Run(() => source.Wait(TimeSpan.FromMinutes(5), cts.Token));
        await Task.Delay(50);
        var clock = Stopwatch.StartNew();

        cts.Cancel();

        Assert.Equal(0, await waiter.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(1), $"cancellation took {clock.Elapsed}");

        // The wake-up used for the cancellation must not cut the next wait short.
        var next = Stopwatch.StartNew();
        Assert.Equal(0, source.Wait(TimeSpan.FromMilliseconds(100)));
        Assert.True(next.Elapsed >= TimeSpan.FromMilliseconds(95), $"the next wait returned after {next.Elapsed}");
    }

    [Fact]
    public void An_already_cancelled_token_returns_zero_and_keeps_pending_interrupts()
    {
        using var source = EventfdInterruptSource.Create();
        source.Signal(2);

        Assert.Equal(0, source.Wait(TimeSpan.FromSeconds(5), new CancellationToken(canceled: true)));
        Assert.Equal(2, source.TryConsume());
    }

    [Fact]
    public async Task Dispose_wakes_a_blocked_waiter()
    {
        var source = EventfdInterruptSource.Create();
        var waiter = Task.Run(() => source.Wait(Timeout.InfiniteTimeSpan));
        await Task.Delay(50);

        source.Dispose();

        Assert.Equal(0, await waiter.WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.Throws<ObjectDisposedException>(() => source.TryConsume());
    }

    [Fact]
    public void Interrupts_that_arrive_while_nobody_waits_are_counted_together()
    {
        using var source = EventfdInterruptSource.Create();
        source.Signal();
        source.Signal();
        source.Signal();

        Assert.Equal(3, source.TryConsume());
    }

    [Fact]
    public void A_negative_timeout_other_than_infinite_is_rejected()
    {
        using var source = EventfdInterruptSource.Create();

        Assert.Throws<ArgumentOutOfRangeException>(() => source.Wait(TimeSpan.FromMilliseconds(-5)));
    }
}

public sealed class EventfdDisposeRaceTests
{
    [Fact]
    public async Task Dispose_racing_a_waiter_always_ends_the_wait_with_zero()
    {
        for (var i = 0; i < 300; i++)
        {
            var source = EventfdInterruptSource.Create();
            var waiter = Task.Run(() => source.Wait(Timeout.InfiniteTimeSpan));
            if (i % 2 == 0)
            {
                await Task.Delay(1);
            }

            source.Dispose();
            try
            {
                Assert.Equal(0, await waiter.WaitAsync(TimeSpan.FromSeconds(5)));
            }
            catch (ObjectDisposedException e) when (!e.StackTrace!.Contains("DangerousAddRef", StringComparison.Ordinal)
                                                      && !e.StackTrace.Contains("Drain", StringComparison.Ordinal))
            {
                // Wait entered after Dispose and said so at its door; a waiter already inside must never see this.
            }
        }
    }
}
