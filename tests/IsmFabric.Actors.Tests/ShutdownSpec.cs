using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Xunit;

namespace IsmFabric.Actors.Tests;

public sealed class ShutdownSpec
{
    [Fact]
    public async Task Shutdown_stops_children_before_parents_across_the_whole_tree()
    {
        var stopped = new ConcurrentQueue<string>();
        var system = ActorSystem.Create("shutdown");
        for (var i = 0; i < 3; i++)
        {
            system.ActorOf(Props.Create(() => new Node(3, 3, stopped)), "top" + i);
        }

        await Task.Delay(100);
        Assert.True(await system.Terminate(TimeSpan.FromSeconds(30)));
        Assert.True(system.WhenTerminated.IsCompleted);

        var order = stopped.ToList();
        Assert.Equal(3 * (1 + 3 + 9 + 27), order.Count);
        var index = order.Select((path, i) => (path, i)).ToDictionary(x => x.path, x => x.i);
        foreach (var path in order)
        {
            var parent = path[..path.LastIndexOf('/')];
            if (index.TryGetValue(parent, out var parentIndex))
            {
                Assert.True(index[path] < parentIndex, $"{path} stopped after its parent {parent}");
            }
        }
    }

    [Fact]
    public async Task Terminate_is_idempotent_and_WhenTerminated_completes()
    {
        var system = ActorSystem.Create("once");
        var first = system.Terminate(TimeSpan.FromSeconds(10));
        var second = system.Terminate(TimeSpan.FromSeconds(10));
        Assert.Same(first, second);
        Assert.True(await first);
        await system.WhenTerminated;
        Assert.Throws<InvalidOperationException>(() => system.ActorOf(Props.Create(() => new Echo())));
    }

    [Fact]
    public async Task Shutdown_gives_up_at_the_deadline_when_an_actor_hangs_in_PostStop()
    {
        using var release = new ManualResetEventSlim();
        var system = ActorSystem.Create("hung");
        system.ActorOf(Props.Create(() => new Hanging(release)), "hangs");
        await Task.Delay(50);
        try
        {
            Assert.False(await system.Terminate(TimeSpan.FromMilliseconds(300)));
            Assert.True(system.WhenTerminated.IsCompleted);
        }
        finally
        {
            release.Set();
        }
    }

    [Fact]
    public async Task Messages_sent_to_actors_after_shutdown_become_dead_letters()
    {
        var system = ActorSystem.Create("after");
        var echo = system.ActorOf(Props.Create(() => new Echo()));
        await system.Terminate(TimeSpan.FromSeconds(10));
        var before = system.DeadLetterCount;
        echo.Tell("late", null);
        Assert.Equal(before + 1, system.DeadLetterCount);
    }

    [Fact]
    public async Task The_SIGTERM_hook_terminates_the_system_in_order()
    {
        var stopped = new ConcurrentQueue<string>();
        var system = ActorSystem.Create("sigterm");
        system.ActorOf(Props.Create(() => new Node(1, 2, stopped)), "top");
        await Task.Delay(50);
        using var hook = SigtermShutdownHook.Install(system, TimeSpan.FromSeconds(10));
        hook.Handle(new PosixSignalContext(PosixSignal.SIGTERM));
        Assert.True(system.WhenTerminated.IsCompleted);
        Assert.Equal(3, stopped.Count);
        Assert.EndsWith("/user/top", stopped.Last(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_failure_escalated_past_the_user_guardian_terminates_the_system()
    {
        var system = ActorSystem.Create("escalated", new ActorSystemSettings
        {
            GuardianSupervisorStrategy = new OneForOneStrategy(_ => Directive.Escalate),
        });
        var actor = system.ActorOf(Props.Create(() => new Crasher()), "crasher");
        actor.Tell("crash", null);
        await system.WhenTerminated.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private sealed class Crasher : ReceiveActor
    {
        public Crasher() => ReceiveAny(_ => throw new InvalidOperationException("escalate to the top"));
    }

    /// <summary>A tree node with <c>fanOut</c> children down to <c>depth</c>; records its path when it stops.</summary>
    private sealed class Node : ReceiveActor
    {
        private readonly ConcurrentQueue<string> _stopped;

        public Node(int depth, int fanOut, ConcurrentQueue<string> stopped)
        {
            _stopped = stopped;
            if (depth > 0)
            {
                for (var i = 0; i < fanOut; i++)
                {
                    Context.ActorOf(Props.Create(() => new Node(depth - 1, fanOut, stopped)), "n" + i);
                }
            }
        }

        protected override void PostStop() => _stopped.Enqueue(Self.Path.ToString());
    }

    private sealed class Hanging : ReceiveActor
    {
        private readonly ManualResetEventSlim _release;

        public Hanging(ManualResetEventSlim release) => _release = release;

        protected override void PostStop() => _release.Wait(TimeSpan.FromSeconds(30));
    }
}
