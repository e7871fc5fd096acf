using IsmFabric.Actors.TestKit;
using Xunit;
using Xunit.Abstractions;

namespace IsmFabric.Actors.Tests;

public sealed class PipeToSpec : TestKit.TestKit
{
    public PipeToSpec(ITestOutputHelper output)
        : base(output)
    {
    }

    [Fact]
    public void PipeTo_sends_the_result_of_slow_work_back_as_a_message_to_the_captured_sender()
    {
        var worker = ActorOf(Props.Create(() => new SlowWorker()));
        worker.Tell(21);
        ExpectMsg(42);
        Assert.Same(worker, Probe.LastSender);
    }

    [Fact]
    public void A_failed_task_arrives_as_Status_Failure()
    {
        var worker = ActorOf(Props.Create(() => new SlowWorker()));
        worker.Tell(-1);
        Assert.IsType<ArgumentOutOfRangeException>(ExpectMsg<Status.Failure>().Cause);
    }

    [Fact]
    public void Success_and_failure_mappers_shape_the_messages()
    {
        Task.FromResult(3).PipeTo(TestActor, success: r => $"ok:{r}");
        ExpectMsg("ok:3");
        Task.FromException<int>(new TimeoutException()).PipeTo(TestActor, failure: e => e.GetType().Name);
        ExpectMsg("TimeoutException");
        Task.CompletedTask.PipeTo(TestActor);
        ExpectMsg<Status.Success>();
    }

    private sealed class SlowWorker : ReceiveActor
    {
        public SlowWorker() => Receive<int>(n =>
        {
            var replyTo = Sender;
            Task.Run(async () =>
            {
                await Task.Delay(10);
                ArgumentOutOfRangeException.ThrowIfNegative(n);
                return n * 2;
            }).PipeTo(replyTo, Self);
        });
    }
}
