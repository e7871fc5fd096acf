namespace IsmFabric.Vfio;

/// <summary>One link of a VFIO capability chain: its header and the bytes that belong to it.</summary>
/// <param name="Id">Capability id (meaning depends on the chain).</param>
/// <param name="Version">Capability version.</param>
/// <param name="Offset">Offset of the capability header from the start of the info buffer.</param>
/// <param name="Length">Bytes available to the capability: up to the next capability, or to the end of the buffer.</param>
internal readonly record struct VfioCapability(ushort Id, ushort Version, int Offset, int Length);
