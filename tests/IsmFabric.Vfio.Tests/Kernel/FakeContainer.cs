using Info = IsmFabric.Vfio.Interop.vfio_iommu_type1_info;
using Req = IsmFabric.Vfio.Interop.VfioIoctl;

namespace IsmFabric.Vfio.Tests;

/// <summary>/dev/vfio/vfio with the type1 v2 backend: API version, extension check, IOMMU info with IOVA ranges, DMA map/unmap.</summary>
internal sealed unsafe class FakeContainer(FakeVfioKernel kernel, string path) : FakeFile(kernel, path, "container")
{
    public int ApiVersion { get; set; }

    public bool HasType1v2 { get; set; } = true;

    public bool GroupAttached { get; set; }

    public bool IommuSet { get; private set; }

    public List<IovaRange> Ranges { get; } = [new(0, 0xfedf_ffff), new(0xfef0_0000, 0xffff_ffff_ffff)];

    public Dictionary<ulong, Interop.vfio_iommu_type1_dma_map> Mappings { get; } = [];

    public int InfoCalls { get; private set; }

    protected override int HandleValue(nuint request, nint value) => request switch
    {
        Req.VFIO_GET_API_VERSION => ApiVersion,
        Req.VFIO_CHECK_EXTENSION => value == Req.VFIO_TYPE1v2_IOMMU && HasType1v2 ? 1 : 0,
        Req.VFIO_SET_IOMMU when value == Req.VFIO_TYPE1v2_IOMMU && GroupAttached => Set(),
        Req.VFIO_SET_IOMMU => throw new ErrnoException(Errno.EINVAL),
        _ => throw new ErrnoException(Errno.ENOTTY),
    };

    protected override int Handle(nuint request, byte* argument)
    {
        switch (request)
        {
            case Req.VFIO_IOMMU_GET_INFO:
                return GetInfo(argument);
            case Req.VFIO_IOMMU_MAP_DMA:
            {
                RequireArgsz(argument, 32);
                var map = At<Interop.vfio_iommu_type1_dma_map>(argument);
                if (!IommuSet || map.flags != 3 || map.size == 0 || Mappings.ContainsKey(map.iova)
                    || !Ranges.Any(r => map.iova >= r.Start && map.iova + map.size - 1 <= r.Last))
                {
                    throw new ErrnoException(Errno.EINVAL);
                }

                Mappings.Add(map.iova, map);
                return 0;
            }

            case Req.VFIO_IOMMU_UNMAP_DMA:
            {
                RequireArgsz(argument, 24);
                ref var unmap = ref At<Interop.vfio_iommu_type1_dma_unmap>(argument);
                unmap.size = Mappings.Remove(unmap.iova, out var removed) && removed.size == unmap.size ? removed.size : 0;
                return 0;
            }

            default:
                throw new ErrnoException(Errno.ENOTTY);
        }
    }

    private int Set()
    {
        IommuSet = true;
        return 0;
    }

    private int GetInfo(byte* argument)
    {
        InfoCalls++;
        if (!IommuSet)
        {
            throw new ErrnoException(Errno.EINVAL);
        }

        var argsz = RequireArgsz(argument, 16);
        var total = 24 + 16 + (16 * Ranges.Count);
        ref var info = ref At<Info>(argument);
        info.flags = Info.VFIO_IOMMU_INFO_PGSIZES | Info.VFIO_IOMMU_INFO_CAPS;
        info.iova_pgsizes = 0x1000;
        if (argsz < total)
        {
            // Too small is not an error: the kernel asks for more and leaves cap_offset 0.
            info.argsz = (uint)total;
            info.cap_offset = 0;
            return 0;
        }

        info.cap_offset = 24;
        ref var cap = ref At<Interop.vfio_iommu_type1_info_cap_iova_range>(argument + 24);
        cap.header = new Interop.vfio_info_cap_header { id = 1, version = 1, next = 0 };
        cap.nr_iovas = (uint)Ranges.Count;
        for (var i = 0; i < Ranges.Count; i++)
        {
            At<Interop.vfio_iova_range>(argument + 40 + (16 * i)) = new Interop.vfio_iova_range { start = Ranges[i].Start, end = Ranges[i].Last };
        }

        return 0;
    }
}
