namespace IsmFabric.Vfio;

/// <summary>vfio_device_info_cap_zpci_base (id 1): the function's DMA window and identity.</summary>
/// <param name="Version">Capability version (2 carries <paramref name="FunctionHandle"/>).</param>
/// <param name="StartDma">First usable IOVA.</param>
/// <param name="EndDma">Last usable IOVA (inclusive).</param>
/// <param name="Pchid">Physical channel id: the ISM fabric (CHID).</param>
/// <param name="Vfn">Virtual function number.</param>
/// <param name="FmbLength">Function measurement block length.</param>
/// <param name="Pft">PCI function type (0x05 for ISM).</param>
/// <param name="Gid">Function group id.</param>
/// <param name="FunctionHandle">Function handle (version 2 only, else 0).</param>
public sealed record ZpciBaseCapability(
    ushort Version, ulong StartDma, ulong EndDma, ushort Pchid, ushort Vfn, ushort FmbLength, byte Pft, byte Gid,
    uint FunctionHandle);
