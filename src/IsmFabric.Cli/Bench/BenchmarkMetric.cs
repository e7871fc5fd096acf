using System.Text.Json.Serialization;

namespace IsmFabric.Cli.Bench;

/// <summary>
/// One measured figure of a benchmark next to the baseline measured in the same run; <see cref="Ratio"/> is
/// value / baseline value, so the reader sees how far from the raw mechanism we are.
/// </summary>
/// <param name="Name">Metric name, e.g. "move_throughput_64k".</param>
/// <param name="Unit">Unit of <paramref name="Value"/> and <paramref name="BaselineValue"/>, e.g. "GB/s" or "us".</param>
/// <param name="Value">The measured value.</param>
/// <param name="Baseline">What the baseline is, e.g. "memcpy 64 KiB".</param>
/// <param name="BaselineValue">The baseline measured in the same run, in the same unit.</param>
public sealed record BenchmarkMetric(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("unit")] string Unit,
    [property: JsonPropertyName("value")] double Value,
    [property: JsonPropertyName("baseline")] string Baseline,
    [property: JsonPropertyName("baseline_value")] double BaselineValue)
{
    /// <summary>value / baseline_value (0 when the baseline is 0).</summary>
    [JsonPropertyName("ratio")]
    public double Ratio => BaselineValue == 0 ? 0 : Value / BaselineValue;
}
