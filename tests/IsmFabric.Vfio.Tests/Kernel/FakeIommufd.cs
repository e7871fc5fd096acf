using Req = IsmFabric.Vfio.Interop.IommufdIoctl;

namespace IsmFabric.Vfio.Tests;

/// <summary>/dev/iommu with one IOAS: allocation, the EMSGSIZE range query, fixed-IOVA map and unmap.</summary>
internal sealed unsafe class FakeIommufd(FakeVfioKernel kernel, string path) : FakeFile(kernel, path, "iommufd")
{
    public uint IoasId { get; } = 5;

    public bool Allocated { get; private set; }

    public FakeDevice? Device { get; set; }

    public List<IovaRange> Ranges { get; } = [new(0, 0xfedf_ffff), new(0xfef0_0000, 0xffff_ffff_ffff)];

    public List<uint> RangeQueriesWith { get; } = [];

    public Dictionary<ulong, Interop.iommu_ioas_map> Mappings { get; } = [];

    protected override int Handle(nuint request, byte* argument)
    {
        switch (request)
        {
            case Req.IOMMU_IOAS_ALLOC:
            {
                ref var alloc = ref At<Interop.iommu_ioas_alloc>(argument);
                if (alloc.size < 12 || alloc.flags != 0 || Allocated)
                {
                    throw new ErrnoException(Errno.EINVAL);
                }

                Allocated = true;
                alloc.out_ioas_id = IoasId;
                return 0;
            }

            case Req.IOMMU_IOAS_IOVA_RANGES:
            {
                ref var query = ref At<Interop.iommu_ioas_iova_ranges>(argument);
                if (query.size < 32 || query.ioas_id != IoasId)
                {
                    throw new ErrnoException(Errno.ENOENT);
                }

                RangeQueriesWith.Add(query.num_iovas);

                // Before the device is attached the IOAS allows everything; the attach narrows it.
                var ranges = Device?.AttachedIoas == IoasId ? Ranges : [new IovaRange(0, ulong.MaxValue)];
                var room = query.num_iovas;
                query.num_iovas = (uint)ranges.Count;
                query.out_iova_alignment = 0x1000;
                if (room < ranges.Count)
                {
                    throw new ErrnoException(Errno.EMSGSIZE);
                }

                var entries = (Interop.iommu_iova_range*)query.allowed_iovas;
                for (var i = 0; i < ranges.Count; i++)
                {
                    entries[i] = new Interop.iommu_iova_range { start = ranges[i].Start, last = ranges[i].Last };
                }

                return 0;
            }

            case Req.IOMMU_IOAS_MAP:
            {
                var map = At<Interop.iommu_ioas_map>(argument);
                if (map.size < 40 || map.ioas_id != IoasId || map.flags != 7 || Mappings.ContainsKey(map.iova)
                    || !Ranges.Any(r => map.iova >= r.Start && map.iova + map.length - 1 <= r.Last))
                {
                    throw new ErrnoException(Errno.EINVAL);
                }

                Mappings.Add(map.iova, map);
                return 0;
            }

            case Req.IOMMU_IOAS_UNMAP:
            {
                ref var unmap = ref At<Interop.iommu_ioas_unmap>(argument);
                if (unmap.ioas_id != IoasId || !Mappings.Remove(unmap.iova, out var removed) || removed.length != unmap.length)
                {
                    throw new ErrnoException(Errno.ENOENT);
                }

                return 0;
            }

            default:
                throw new ErrnoException(Errno.ENOTTY);
        }
    }
}
