namespace IsmFabric.Vfio;

/// <summary>
/// The IOMMU side of DMA: a legacy VFIO container (type1 v2) or an iommufd IOAS. Hides which flow opened the device.
/// Disposing it closes the container/group or the iommufd, which drops every mapping.
/// </summary>
internal interface IDmaMapper : IDisposable
{
    /// <summary>The IOVA ranges the IOMMU accepts, as reported after the device was attached.</summary>
    IReadOnlyList<IovaRange> IovaRanges { get; }

    /// <summary>Maps <paramref name="length"/> bytes at <paramref name="address"/> read-write at <paramref name="iova"/>.</summary>
    void Map(nint address, ulong iova, ulong length);

    /// <summary>Removes the mapping made at <paramref name="iova"/>; throws unless exactly <paramref name="length"/> bytes went away.</summary>
    void Unmap(ulong iova, ulong length);
}
