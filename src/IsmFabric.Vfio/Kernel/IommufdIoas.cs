using Ioctl = IsmFabric.Vfio.Interop.IommufdIoctl;
using VfioIoctl = IsmFabric.Vfio.Interop.VfioIoctl;

namespace IsmFabric.Vfio;

/// <summary>
/// The cdev flow's IOMMU side: an iommufd (/dev/iommu) with one IOAS the device is attached to. Closing the iommufd
/// destroys the IOAS and its mappings; the device fd must be closed first (that unbinds it).
/// </summary>
internal sealed unsafe class IommufdIoas : IDmaMapper
{
    private const int MaxRangeQueries = 4;
    private readonly IVfioFile _iommufd;
    private readonly uint _ioasId;

    private IommufdIoas(IVfioFile iommufd, uint ioasId, IReadOnlyList<IovaRange> ranges)
    {
        _iommufd = iommufd;
        _ioasId = ioasId;
        IovaRanges = ranges;
    }

    /// <inheritdoc />
    public IReadOnlyList<IovaRange> IovaRanges { get; }

    /// <summary>
    /// Opens the iommufd and attaches <paramref name="device"/>: BIND_IOMMUFD, IOAS_ALLOC, ATTACH_IOMMUFD_PT, then
    /// IOAS_IOVA_RANGES (queried after the attach, which narrows them to what the device can reach).
    /// </summary>
    internal static IommufdIoas Attach(IVfioKernel kernel, string iommuPath, IVfioFile device)
    {
        var iommufd = kernel.OpenOrThrow(iommuPath, errno => errno == Errno.ENOENT
            ? "the iommufd node is missing: the kernel needs CONFIG_IOMMUFD (or use the legacy container flow)"
            : null);
        try
        {
            var bind = new Interop.vfio_device_bind_iommufd
            {
                argsz = (uint)sizeof(Interop.vfio_device_bind_iommufd),
                iommufd = iommufd.Descriptor,
            };
            device.IoctlOrThrow(VfioIoctl.VFIO_DEVICE_BIND_IOMMUFD, &bind, nameof(VfioIoctl.VFIO_DEVICE_BIND_IOMMUFD));

            var alloc = new Interop.iommu_ioas_alloc { size = (uint)sizeof(Interop.iommu_ioas_alloc) };
            iommufd.IoctlOrThrow(Ioctl.IOMMU_IOAS_ALLOC, &alloc, nameof(Ioctl.IOMMU_IOAS_ALLOC));

            var attach = new Interop.vfio_device_attach_iommufd_pt
            {
                argsz = (uint)sizeof(Interop.vfio_device_attach_iommufd_pt),
                pt_id = alloc.out_ioas_id,
            };
            device.IoctlOrThrow(
                VfioIoctl.VFIO_DEVICE_ATTACH_IOMMUFD_PT,
                &attach,
                nameof(VfioIoctl.VFIO_DEVICE_ATTACH_IOMMUFD_PT),
                $"IOAS {alloc.out_ioas_id}");

            return new IommufdIoas(iommufd, alloc.out_ioas_id, QueryRanges(iommufd, alloc.out_ioas_id));
        }
        catch
        {
            iommufd.Dispose();
            throw;
        }
    }

    /// <summary>IOMMU_IOAS_IOVA_RANGES: ask with an empty array, get EMSGSIZE and the count, ask again with room.</summary>
    internal static List<IovaRange> QueryRanges(IVfioFile iommufd, uint ioasId)
    {
        var capacity = 0u;
        for (var attempt = 0; attempt < MaxRangeQueries; attempt++)
        {
            var array = new Interop.iommu_iova_range[capacity];
            fixed (Interop.iommu_iova_range* entries = array)
            {
                var query = new Interop.iommu_ioas_iova_ranges
                {
                    size = (uint)sizeof(Interop.iommu_ioas_iova_ranges),
                    ioas_id = ioasId,
                    num_iovas = capacity,
                    allowed_iovas = (ulong)entries,
                };
                if (iommufd.Ioctl(Ioctl.IOMMU_IOAS_IOVA_RANGES, &query, out var errno) < 0)
                {
                    // The ranges can grow between the two calls (another attach); ask again with the new count.
                    if (errno == Errno.EMSGSIZE && query.num_iovas > capacity)
                    {
                        capacity = query.num_iovas;
                        continue;
                    }

                    throw VfioErrors.FromErrno(errno, $"{nameof(Ioctl.IOMMU_IOAS_IOVA_RANGES)} on {iommufd.Path}", $"IOAS {ioasId}");
                }

                if (query.num_iovas == 0)
                {
                    throw new VfioFormatException(nameof(Ioctl.IOMMU_IOAS_IOVA_RANGES), $"IOAS {ioasId} reports no usable IOVA range");
                }

                if (query.num_iovas > capacity)
                {
                    throw new VfioFormatException(
                        nameof(Ioctl.IOMMU_IOAS_IOVA_RANGES),
                        $"IOAS {ioasId} reports {query.num_iovas} ranges into an array of {capacity} without EMSGSIZE");
                }

                var ranges = new List<IovaRange>((int)query.num_iovas);
                for (var i = 0; i < (int)query.num_iovas; i++)
                {
                    if (array[i].last < array[i].start)
                    {
                        throw new VfioFormatException(
                            nameof(Ioctl.IOMMU_IOAS_IOVA_RANGES),
                            $"range {i} ends (0x{array[i].last:x}) before it starts (0x{array[i].start:x})");
                    }

                    ranges.Add(new IovaRange(array[i].start, array[i].last));
                }

                return ranges;
            }
        }

        throw new VfioFormatException(nameof(Ioctl.IOMMU_IOAS_IOVA_RANGES), $"the range count of IOAS {ioasId} kept changing");
    }

    /// <inheritdoc />
    public void Map(nint address, ulong iova, ulong length)
    {
        var map = new Interop.iommu_ioas_map
        {
            size = (uint)sizeof(Interop.iommu_ioas_map),
            flags = Interop.iommu_ioas_map.IOMMU_IOAS_MAP_FIXED_IOVA
                | Interop.iommu_ioas_map.IOMMU_IOAS_MAP_READABLE
                | Interop.iommu_ioas_map.IOMMU_IOAS_MAP_WRITEABLE,
            ioas_id = _ioasId,
            user_va = (ulong)address,
            length = length,
            iova = iova,
        };
        _iommufd.IoctlOrThrow(
            Ioctl.IOMMU_IOAS_MAP,
            &map,
            nameof(Ioctl.IOMMU_IOAS_MAP),
            $"IOAS {_ioasId}, iova 0x{iova:x}, {length} bytes (pinned memory counts against RLIMIT_MEMLOCK)");
    }

    /// <inheritdoc />
    public void Unmap(ulong iova, ulong length)
    {
        var unmap = new Interop.iommu_ioas_unmap
        {
            size = (uint)sizeof(Interop.iommu_ioas_unmap),
            ioas_id = _ioasId,
            iova = iova,
            length = length,
        };
        _iommufd.IoctlOrThrow(Ioctl.IOMMU_IOAS_UNMAP, &unmap, nameof(Ioctl.IOMMU_IOAS_UNMAP), $"IOAS {_ioasId}, iova 0x{iova:x}, {length} bytes");
        if (unmap.length != length)
        {
            throw VfioErrors.FromErrno(
                Errno.EIO,
                $"{nameof(Ioctl.IOMMU_IOAS_UNMAP)} on {_iommufd.Path}",
                $"IOAS {_ioasId}, iova 0x{iova:x}: {unmap.length} of {length} bytes were unmapped");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _iommufd.Dispose();
}
