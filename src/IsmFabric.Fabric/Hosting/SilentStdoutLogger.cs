using Akka.Event;

namespace IsmFabric.Fabric.Hosting;

/// <summary>
/// Akka's stdout logger, silenced: Akka writes log events still queued when its logger stops straight to stdout,
/// whatever <c>akka.stdout-loglevel</c> says, and a node's stdout carries only its own (possibly JSON) log.
/// </summary>
public sealed class SilentStdoutLogger : MinimalLogger
{
    /// <inheritdoc />
    protected override void Log(object message)
    {
    }
}
