namespace IsmFabric.Emulation;

/// <summary>An ISM function in a <see cref="CecSnapshot"/>.</summary>
/// <param name="Fid">Function id.</param>
/// <param name="Lpar">The LPAR it is configured to.</param>
/// <param name="Chid">Its CHID.</param>
/// <param name="Gid">Its GID.</param>
/// <param name="Pnetid">Its PNETID.</param>
/// <param name="Vfn">Virtual function number.</param>
/// <param name="State">ready, inuse, error or unplugged.</param>
/// <param name="Pid">The process using it, if any.</param>
/// <param name="SbaRegistered">Whether an SBA is registered.</param>
/// <param name="IeqRegistered">Whether an IEQ is registered.</param>
/// <param name="DmbCount">DMBs it owns.</param>
/// <param name="Vlans">VLANs it is a member of.</param>
/// <param name="Faults">Injected faults in force.</param>
/// <param name="Statistics">Counters since the CEC was created.</param>
/// <param name="DmaMappedBytes">Bytes of its LPAR's memory mapped for its DMA (in its IOMMU domain).</param>
/// <param name="LastIommuFault">The last IOMMU fault it took, in words; null when it never faulted.</param>
public sealed record FunctionSnapshot(
    uint Fid, string Lpar, ushort Chid, ulong Gid, string Pnetid, ushort Vfn, string State, int? Pid,
    bool SbaRegistered, bool IeqRegistered, int DmbCount, IReadOnlyList<ushort> Vlans, IReadOnlyList<string> Faults,
    FunctionStatistics Statistics, long DmaMappedBytes, string? LastIommuFault);
