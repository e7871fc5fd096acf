using Serilog.Events;

namespace IsmFabric.Host.Configuration;

/// <summary>Where and how the node logs: a console and a rolling file, as text or JSON.</summary>
public sealed record NodeLoggingOptions
{
    /// <summary>JSON lines instead of text, on both the console and the file. Default false.</summary>
    public bool Json { get; init; }

    /// <summary>The lowest level logged. Default Information.</summary>
    public LogEventLevel Level { get; init; } = LogEventLevel.Information;

    /// <summary>Whether the console gets the log too. Default true.</summary>
    public bool Console { get; init; } = true;

    /// <summary>The rolling file's path; the date goes before the extension (node-20250101.log).</summary>
    public required string File { get; init; }

    /// <summary>How many daily files are kept. Default 7.</summary>
    public int RetainedFiles { get; init; } = 7;
}
