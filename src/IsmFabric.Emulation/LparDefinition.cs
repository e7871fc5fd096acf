using System.Text.Json.Serialization;

namespace IsmFabric.Emulation;

/// <summary>One LPAR of an emulated CEC: its name and how much DMA-able memory it has.</summary>
/// <param name="Name">The LPAR name (lpar1, …).</param>
/// <param name="MemoryBytes">Size of the LPAR's memory file, from which its SBA, IEQ and DMBs are allocated.</param>
public sealed record LparDefinition(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("memory_bytes")] long MemoryBytes);
