using Akka.Actor;
using Akka.Hosting;
using IsmFabric.Fabric;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Host;

/// <summary>
/// The node's life inside the Generic Host, after Akka.Hosting started the actor system: attach the
/// <see cref="FabricNode"/> and answer on the control socket. Stop (SIGTERM, Ctrl-C): the node's
/// <see cref="CoordinatedShutdown"/> closes the socket (service-unbind), closes channels with shutdown events to
/// peers (service-requests-done), unregisters DMBs and releases the functions (service-stop), then terminates the
/// actor system, within <c>Node:ShutdownTimeoutMs</c>. Each step is logged.
/// </summary>
public sealed class FabricNodeService(NodeResources resources, ActorSystem system, ActorRegistry registry, ILoggerFactory loggerFactory) : IHostedService
{
    private readonly ILogger _log = loggerFactory.CreateLogger("IsmFabric.Host.Node");

    /// <summary>The running fabric node, once started.</summary>
    public FabricNode? Node { get; private set; }

    /// <inheritdoc />
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = resources.Options;
        try
        {
            CoordinatedShutdown.Get(system).AddTask(CoordinatedShutdown.PhaseServiceUnbind, "close-control-socket", async () =>
            {
                await resources.CloseControlAsync().ConfigureAwait(false);
                return Akka.Done.Instance;
            });
            Node = await FabricNode.AttachAsync(system, registry, resources.Settings, loggerFactory, cancellationToken).ConfigureAwait(false);
            resources.Control.Start(Node);
            _log.LogInformation("node {Node} running; ask it with 'ismfabric status --socket {Socket}'", options.Name, options.ControlSocket);
        }
        catch (Exception e)
        {
            _log.LogError("node {Node} failed to start: {Error}", options.Name, e.Message);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _log.LogInformation("node {Node} stopping (deadline {Deadline})", resources.Options.Name, resources.Options.ShutdownTimeout);
        if (Node is not null)
        {
            await Node.StopAsync().ConfigureAwait(false);
        }
        else
        {
            await CoordinatedShutdown.Get(system).Run(NodeStopReason.Instance).ConfigureAwait(false);
        }
    }
}
