using Microsoft.Extensions.Hosting;

namespace IsmFabric.Fabric.Hosting;

/// <summary>
/// The lifetime of a host a library starts for itself (<see cref="FabricNode.StartAsync"/>): it takes no signals and
/// prints nothing, so SIGTERM and Ctrl-C stay the embedding process's to handle.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
