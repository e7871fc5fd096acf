using IsmFabric.Host.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Akka.Hosting;
using IsmFabric.Fabric;
using IsmFabric.Fabric.Hosting;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Extensions.Logging;

namespace IsmFabric.Host;

/// <summary>Builds and runs the node process: the Generic Host with Serilog and the <see cref="FabricNodeService"/>.</summary>
public static class NodeHost
{
    /// <summary>
    /// Builds the host for a node whose <paramref name="resources"/> are already taken, logging through
    /// <paramref name="logger"/> (which the caller disposes): Serilog, Akka.Hosting with the fabric node, and the
    /// <see cref="FabricNodeService"/> that attaches to it.
    /// </summary>
    public static IHost Build(NodeResources resources, Serilog.ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentNullException.ThrowIfNull(logger);
        var options = resources.Options;

        // Empty: our configuration is already built and validated into NodeOptions; nothing else may add sources.
        var builder = Microsoft.Extensions.Hosting.Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings
        {
            ApplicationName = "ismfabric",
            ContentRootPath = options.DataDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);

        // The host must wait for the node's own ordered stop, which has its own deadline.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout + TimeSpan.FromSeconds(5));
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Trace); // Serilog filters by Node:Logging:Level
        builder.Services.AddSerilog(logger, dispose: false);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(resources);
        builder.Services.AddAkka(FabricNode.SystemName(options.Name), (akka, services) =>
            akka.WithIsmFabricNode(resources.Settings, resources.Devices, resources.Journal, services.GetRequiredService<ILoggerFactory>()));
        builder.Services.AddHostedService<FabricNodeService>();
        return builder.Build();
    }

    /// <summary>
    /// Runs a node until SIGTERM, Ctrl-C or <paramref name="cancellationToken"/>; the log is flushed before it
    /// returns. A failure to start is logged and rethrown.
    /// </summary>
    public static async Task RunAsync(NodeOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        await using var logger = NodeLogging.Create(options);
        using var loggers = new SerilogLoggerFactory(logger, dispose: false);
        var log = loggers.CreateLogger("IsmFabric.Host.Node");
        try
        {
            await using var resources = NodeResources.Acquire(options, loggers);
            using (var host = Build(resources, logger))
            {
                await host.RunAsync(cancellationToken).ConfigureAwait(false);
            }

            await resources.DisposeAsync().ConfigureAwait(false);
            log.LogInformation("node {Node} stopped", options.Name);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            logger.Fatal(e, "node {Node} exits after a failure: {Error}", options.Name, e.Message);
            throw;
        }
    }
}
