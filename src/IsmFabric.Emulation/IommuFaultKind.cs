namespace IsmFabric.Emulation;

/// <summary>What made the emulated IOMMU fault a function (see <c>docs/emulated-cec.md</c>, "The IOMMU").</summary>
internal enum IommuFaultKind
{
    /// <summary>No fault yet.</summary>
    None = 0,

    /// <summary>The LPAR unmapped a page that an SBA, IEQ or DMB registration of the function still covers.</summary>
    UnmapInUse = 1,

    /// <summary>The device wrote to an IOVA the function has not mapped (a move's data, SBA bits or an IEQ entry).</summary>
    UnmappedAccess = 2,
}
