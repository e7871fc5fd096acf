namespace IsmFabric.Vfio;

/// <summary>Where DMA buffers come from: anonymous mappings in production, a recording wrapper in tests.</summary>
internal interface IHostMemory
{
    /// <summary>Returns zeroed, page-aligned memory of <paramref name="length"/> bytes starting on a multiple of <paramref name="alignment"/>.</summary>
    nint Allocate(ulong length, ulong alignment);

    /// <summary>Returns memory obtained from <see cref="Allocate"/>.</summary>
    void Free(nint address, ulong length);
}
