using Akka.Actor;

namespace IsmFabric.Fabric;

/// <summary>The <see cref="CoordinatedShutdown"/> reason when the node is stopped on purpose (SIGTERM, Ctrl-C, the API).</summary>
public sealed class NodeStopReason : CoordinatedShutdown.Reason
{
    /// <summary>The one instance.</summary>
    public static readonly NodeStopReason Instance = new();

    private NodeStopReason()
    {
    }

    /// <inheritdoc />
    public override int ExitCode => 0;

    /// <inheritdoc />
    public override string ToString() => "the node was asked to stop";
}
