namespace IsmFabric.Vfio;

/// <summary>The answer of VFIO_DEVICE_GET_IRQ_INFO.</summary>
/// <param name="Index">The IRQ index.</param>
/// <param name="Flags">VFIO_IRQ_INFO_* flags.</param>
/// <param name="Count">Number of vectors; 0 when the index is not supported.</param>
public readonly record struct VfioIrqInfo(uint Index, VfioIrqInfoFlags Flags, uint Count);
