using System.Text.Json;
using System.Text.Json.Serialization;

namespace IsmFabric.Cli.Bench;

/// <summary>The result of one benchmark run: its name, the machine it ran on and its metrics, as printed with --json.</summary>
/// <param name="Benchmark">The benchmark name ("moves", "actors", "channel").</param>
/// <param name="Metrics">The figures, each with its baseline.</param>
public sealed record BenchmarkReport(
    [property: JsonPropertyName("benchmark")] string Benchmark,
    [property: JsonPropertyName("metrics")] IReadOnlyList<BenchmarkMetric> Metrics)
{
    /// <summary>Processor count of the machine.</summary>
    [JsonPropertyName("processors")]
    public int Processors { get; init; } = Environment.ProcessorCount;

    /// <summary>The .NET runtime description.</summary>
    [JsonPropertyName("runtime")]
    public string Runtime { get; init; } = System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription;

    /// <summary>When the run finished (UTC, ISO 8601).</summary>
    [JsonPropertyName("finished_utc")]
    public DateTime FinishedUtc { get; init; } = DateTime.UtcNow;

    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>The report as indented JSON: one object with a "metrics" array.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, JsonOptions);
}
