using System.Collections.Concurrent;
using Akka.Actor;
using Akka.Event;
using Xunit.Abstractions;
using Xunit.Sdk;

namespace IsmFabric.Fabric.Tests;

/// <summary>
/// Akka.TestKit for fabric actors, failing a test when an actor crashed that the test did not expect to crash: every
/// error logged on the event stream (a crash is logged by its supervisor) is collected, and a test ends by checking
/// them against <see cref="IsExpected"/>.
/// </summary>
public abstract class FabricTestKit : Akka.TestKit.Xunit2.TestKit
{
    private readonly ConcurrentQueue<Error> _errors = new();

    protected FabricTestKit(ITestOutputHelper output, string extraConfig = "")
        : base("akka.loglevel = INFO\nakka.stdout-loglevel = OFF\n" + extraConfig, output)
    {
        var collector = Sys.ActorOf(Props.Create(() => new ErrorCollector(_errors)), "error-collector");
        Sys.EventStream.Subscribe(collector, typeof(Error));
    }

    /// <summary>Errors a test expects (say, a device failing under an injected fault); none by default.</summary>
    protected virtual bool IsExpected(Error error) => false;

    protected override void AfterAll()
    {
        var unexpected = _errors.Where(e => !IsExpected(e)).ToList();
        base.AfterAll();
        if (unexpected.Count > 0)
        {
            throw new XunitException($"{unexpected.Count} unexpected actor errors, the first: {unexpected[0].LogSource}: {unexpected[0].Message} {unexpected[0].Cause}");
        }
    }

    private sealed class ErrorCollector : ReceiveActor
    {
        public ErrorCollector(ConcurrentQueue<Error> errors) => Receive<Error>(errors.Enqueue);
    }
}
