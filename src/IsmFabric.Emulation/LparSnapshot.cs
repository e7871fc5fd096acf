namespace IsmFabric.Emulation;

/// <summary>An LPAR in a <see cref="CecSnapshot"/>.</summary>
/// <param name="Name">The LPAR name.</param>
/// <param name="Attached">Whether a living process is attached.</param>
/// <param name="Pid">The attached process, when attached.</param>
/// <param name="MemoryBytes">Size of its DMA-able memory.</param>
public sealed record LparSnapshot(string Name, bool Attached, int? Pid, long MemoryBytes);
