using System.Diagnostics;
using IsmFabric.Actors.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace IsmFabric.Actors.Tests;

public sealed class MailboxSpec : TestKit.TestKit
{
    public MailboxSpec(ITestOutputHelper output)
        : base(output)
    {
    }

    [Fact]
    public void Messages_from_8_concurrent_senders_of_1M_each_arrive_complete_and_in_order_per_sender()
    {
        const int senders = 8;
        const int perSender = 1_000_000;
        var receiver = ActorOf(Props.Create(() => new SequenceChecker(senders, perSender, TestActor)), "checker");
        using var start = new ManualResetEventSlim();
        var threads = Enumerable.Range(0, senders).Select(s => new Thread(() =>
        {
            start.Wait();
            for (var n = 0; n < perSender; n++)
            {
                receiver.Tell(new Seq(s, n), null);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        start.Set();
        threads.ForEach(t => t.Join());

        var result = ExpectMsg<SequenceChecker.Result>(TimeSpan.FromSeconds(60));
        Assert.Equal(0, result.OutOfOrder);
        Assert.Equal(Enumerable.Repeat(perSender, senders), result.CountPerSender);
    }

    [Fact]
    public void An_actor_processes_one_message_at_a_time_however_many_threads_send()
    {
        var actor = ActorOf(Props.Create(() => new ConcurrencyDetector()));
        Parallel.For(0, 4, _ =>
        {
            for (var i = 0; i < 20_000; i++)
            {
                actor.Tell(i, null);
            }
        });
        actor.Tell("report", TestActor);
        var report = ExpectMsg<(int Processed, int MaxConcurrent)>(TimeSpan.FromSeconds(30));
        Assert.Equal(80_000, report.Processed);
        Assert.Equal(1, report.MaxConcurrent);
    }

    [Fact]
    public void Ten_thousand_mostly_idle_actors_share_a_few_threads()
    {
        var threadsBefore = Process.GetCurrentProcess().Threads.Count;
        var actors = Enumerable.Range(0, 10_000).Select(i => ActorOf(Props.Create(() => new Echo()), "idle-" + i)).ToList();
        foreach (var a in actors)
        {
            a.Tell("ping", TestActor);
        }

        var replies = ReceiveN(10_000, TimeSpan.FromSeconds(30));
        Assert.All(replies, r => Assert.Equal("ping", r));
        var threadsAfter = Process.GetCurrentProcess().Threads.Count;
        Assert.True(threadsAfter - threadsBefore < 100, $"{threadsAfter - threadsBefore} threads were added for 10000 actors");
    }

    [Fact]
    public void Messages_to_one_actor_from_one_sender_keep_their_order_across_throughput_batches()
    {
        var sys = ActorSystem.Create("batch", new ActorSystemSettings { Throughput = 3 });
        try
        {
            var probe = CreateTestProbe();
            var echo = sys.ActorOf(Props.Create(() => new Echo()));
            for (var i = 0; i < 100; i++)
            {
                echo.Tell(i, probe.Ref);
            }

            Assert.Equal(Enumerable.Range(0, 100).Cast<object>(), probe.ReceiveN(100));
        }
        finally
        {
            sys.Dispose();
        }
    }

    private sealed record Seq(int Sender, int N);

    private sealed class SequenceChecker : ReceiveActor
    {
        private readonly int[] _next;
        private long _total;
        private int _outOfOrder;

        public SequenceChecker(int senders, int perSender, IActorRef report)
        {
            _next = new int[senders];
            var expected = (long)senders * perSender;
            Receive<Seq>(m =>
            {
                if (m.N != _next[m.Sender])
                {
                    _outOfOrder++;
                }

                _next[m.Sender] = m.N + 1;
                if (++_total == expected)
                {
                    report.Tell(new Result(_outOfOrder, [.. _next]), Self);
                }
            });
        }

        public sealed record Result(int OutOfOrder, int[] CountPerSender);
    }

    private sealed class ConcurrencyDetector : ReceiveActor
    {
        private int _inside;
        private int _max;
        private int _processed;

        public ConcurrencyDetector()
        {
            Receive<int>(_ =>
            {
                var now = Interlocked.Increment(ref _inside);
                _max = Math.Max(_max, now);
                Thread.SpinWait(20);
                _processed++;
                Interlocked.Decrement(ref _inside);
            });
            Receive<string>(_ => Sender.Tell((_processed, _max)));
        }
    }
}
