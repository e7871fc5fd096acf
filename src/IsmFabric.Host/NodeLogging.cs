using IsmFabric.Host.Configuration;
using Serilog;
using Serilog.Formatting.Json;

namespace IsmFabric.Host;

/// <summary>The node's Serilog pipeline: the console (for the operator) and a daily rolling file, as text or JSON.</summary>
public static class NodeLogging
{
    private const string TextTemplate = "{Timestamp:yyyy-MM-dd HH:mm:ss.fff zzz} [{Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}";
    private const string ConsoleTemplate = "{Timestamp:HH:mm:ss.fff} [{Level:u3}] {Message:lj}{NewLine}{Exception}";

    /// <summary>
    /// Creates the logger for <paramref name="node"/>; every event carries the node's name as <c>Node</c>. Dispose
    /// it at exit so the file sink flushes.
    /// </summary>
    public static Serilog.Core.Logger Create(NodeOptions node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var options = node.Logging;
        var configuration = new LoggerConfiguration()
            .MinimumLevel.Is(options.Level)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Node", node.Name);
        if (options.Console)
        {
            configuration = options.Json
                ? configuration.WriteTo.Console(new JsonFormatter(renderMessage: true))
                : configuration.WriteTo.Console(outputTemplate: ConsoleTemplate, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(options.File)!);
        configuration = configuration.WriteTo.Async(sink =>
        {
            if (options.Json)
            {
                sink.File(new JsonFormatter(renderMessage: true), options.File, rollingInterval: RollingInterval.Day, retainedFileCountLimit: options.RetainedFiles, shared: false);
            }
            else
            {
                sink.File(options.File, outputTemplate: TextTemplate, rollingInterval: RollingInterval.Day, retainedFileCountLimit: options.RetainedFiles, formatProvider: System.Globalization.CultureInfo.InvariantCulture);
            }
        });
        return configuration.CreateLogger();
    }
}
