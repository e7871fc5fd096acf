namespace IsmFabric.Ism;

/// <summary>A DMB whose bit was set in the SBA: a peer moved data into it with the signal flag.</summary>
/// <param name="Dmb">The DMB.</param>
/// <param name="Mask">The DMBE mask read (and cleared) from the SBA; bit 15 (0x8000) is DMBE index 0.</param>
public sealed record DmbSignal(Dmb Dmb, ushort Mask);
