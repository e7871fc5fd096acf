using System.Runtime.CompilerServices;
using GroupStatus = IsmFabric.Vfio.Interop.vfio_group_status;
using Ioctl = IsmFabric.Vfio.Interop.VfioIoctl;
using IommuInfo = IsmFabric.Vfio.Interop.vfio_iommu_type1_info;
using IovaRangeCap = IsmFabric.Vfio.Interop.vfio_iommu_type1_info_cap_iova_range;

namespace IsmFabric.Vfio;

/// <summary>
/// The legacy VFIO flow: a container (/dev/vfio/vfio) with the type1 v2 IOMMU and one IOMMU group (/dev/vfio/N).
/// Device fds come from VFIO_GROUP_GET_DEVICE_FD. Dispose closes the group, then the container.
/// </summary>
internal sealed unsafe class VfioContainer : IDmaMapper
{
    private readonly IVfioFile _container;
    private readonly IVfioFile _group;

    private VfioContainer(IVfioFile container, IVfioFile group, IReadOnlyList<IovaRange> ranges)
    {
        _container = container;
        _group = group;
        IovaRanges = ranges;
    }

    /// <inheritdoc />
    public IReadOnlyList<IovaRange> IovaRanges { get; }

    /// <summary>
    /// Opens the container and the group and joins them: GET_API_VERSION, CHECK_EXTENSION(TYPE1v2), GROUP_GET_STATUS
    /// (must be VIABLE), GROUP_SET_CONTAINER, SET_IOMMU(TYPE1v2), IOMMU_GET_INFO for the IOVA ranges.
    /// </summary>
    /// <param name="kernel">The kernel to open files through.</param>
    /// <param name="containerPath">/dev/vfio/vfio.</param>
    /// <param name="groupPath">/dev/vfio/N.</param>
    /// <param name="explainGroup">Says why the group is not usable (offending devices, bound driver), from sysfs.</param>
    internal static VfioContainer Open(IVfioKernel kernel, string containerPath, string groupPath, Func<string> explainGroup)
    {
        var container = kernel.OpenOrThrow(containerPath, errno => errno == Errno.ENOENT
            ? "the VFIO container node is missing: load the vfio and vfio_iommu_type1 modules (modprobe vfio_iommu_type1)"
            : null);
        IVfioFile? group = null;
        try
        {
            var version = container.IoctlOrThrow(Ioctl.VFIO_GET_API_VERSION, 0, nameof(Ioctl.VFIO_GET_API_VERSION));
            if (version != Ioctl.VFIO_API_VERSION)
            {
                throw VfioErrors.FromErrno(
                    Errno.EOPNOTSUPP,
                    $"{nameof(Ioctl.VFIO_GET_API_VERSION)} on {container.Path}",
                    $"the kernel speaks VFIO API {version}, this code speaks {Ioctl.VFIO_API_VERSION}");
            }

            if (container.IoctlOrThrow(Ioctl.VFIO_CHECK_EXTENSION, Ioctl.VFIO_TYPE1v2_IOMMU, nameof(Ioctl.VFIO_CHECK_EXTENSION)) <= 0)
            {
                throw VfioErrors.FromErrno(
                    Errno.EOPNOTSUPP,
                    $"{nameof(Ioctl.VFIO_CHECK_EXTENSION)}(VFIO_TYPE1v2_IOMMU) on {container.Path}",
                    "the kernel has no type1 v2 IOMMU backend (modprobe vfio_iommu_type1)");
            }

            group = kernel.OpenOrThrow(groupPath, errno => errno switch
            {
                Errno.ENOENT => $"the IOMMU group has no VFIO node; {explainGroup()}",
                Errno.EBUSY => "another process (or another container) holds this IOMMU group open",
                _ => null,
            });

            var status = new GroupStatus { argsz = (uint)sizeof(GroupStatus) };
            group.IoctlOrThrow(Ioctl.VFIO_GROUP_GET_STATUS, &status, nameof(Ioctl.VFIO_GROUP_GET_STATUS));
            if ((status.flags & GroupStatus.VFIO_GROUP_FLAGS_VIABLE) == 0)
            {
                throw VfioErrors.FromErrno(
                    Errno.EPERM,
                    $"{nameof(Ioctl.VFIO_GROUP_GET_STATUS)} on {group.Path}",
                    $"the group is not viable: {explainGroup()}");
            }

            var containerFd = container.Descriptor;
            group.IoctlOrThrow(Ioctl.VFIO_GROUP_SET_CONTAINER, &containerFd, nameof(Ioctl.VFIO_GROUP_SET_CONTAINER));
            container.IoctlOrThrow(Ioctl.VFIO_SET_IOMMU, Ioctl.VFIO_TYPE1v2_IOMMU, nameof(Ioctl.VFIO_SET_IOMMU));

            var info = VfioInfoQuery.Query(container, Ioctl.VFIO_IOMMU_GET_INFO, nameof(Ioctl.VFIO_IOMMU_GET_INFO), sizeof(IommuInfo));
            return new VfioContainer(container, group, ParseIovaRanges(info, ByteOrder.NativeIsBigEndian));
        }
        catch
        {
            group?.Dispose();
            container.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the IOVA_RANGE capability of a vfio_iommu_type1_info answer. Without one (kernels before 5.4) the whole
    /// 64-bit space is assumed and the device's DMA window does the limiting.
    /// </summary>
    internal static List<IovaRange> ParseIovaRanges(ReadOnlySpan<byte> info, bool bigEndian)
    {
        const string name = "VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE";
        var flagsAt = NativeLayout.Offset<IommuInfo>(nameof(IommuInfo.flags));
        var capOffsetAt = NativeLayout.Offset<IommuInfo>(nameof(IommuInfo.cap_offset));
        var capOffsetEnd = NativeLayout.OffsetOfEnd<IommuInfo>(nameof(IommuInfo.cap_offset));
        var full = new List<IovaRange> { new(0, ulong.MaxValue) };
        if (info.Length < capOffsetEnd || (ByteOrder.U32(info, flagsAt, bigEndian) & IommuInfo.VFIO_IOMMU_INFO_CAPS) == 0)
        {
            return full;
        }

        var chain = VfioCapabilityChain.Walk(info, ByteOrder.U32(info, capOffsetAt, bigEndian), capOffsetEnd, bigEndian, "VFIO_IOMMU_GET_INFO");
        foreach (var cap in chain)
        {
            if (cap.Id != IommuInfo.VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE)
            {
                continue;
            }

            var bytes = info.Slice(cap.Offset, cap.Length);
            var headerSize = sizeof(IovaRangeCap);
            if (bytes.Length < headerSize)
            {
                throw new VfioFormatException(name, $"at offset {cap.Offset} needs {headerSize} bytes, but only {bytes.Length} remain");
            }

            var count = ByteOrder.U32(bytes, NativeLayout.Offset<IovaRangeCap>(nameof(IovaRangeCap.nr_iovas)), bigEndian);
            var entrySize = Unsafe.SizeOf<Interop.vfio_iova_range>();
            if (count == 0 || count > (uint)((bytes.Length - headerSize) / entrySize))
            {
                throw new VfioFormatException(name, $"at offset {cap.Offset} declares {count} ranges, which do not fit in its {bytes.Length} bytes");
            }

            var ranges = new List<IovaRange>((int)count);
            for (var i = 0; i < (int)count; i++)
            {
                var at = headerSize + (i * entrySize);
                var start = ByteOrder.U64(bytes, at + NativeLayout.Offset<Interop.vfio_iova_range>(nameof(Interop.vfio_iova_range.start)), bigEndian);
                var end = ByteOrder.U64(bytes, at + NativeLayout.Offset<Interop.vfio_iova_range>(nameof(Interop.vfio_iova_range.end)), bigEndian);
                if (end < start)
                {
                    throw new VfioFormatException(name, $"range {i} ends (0x{end:x}) before it starts (0x{start:x})");
                }

                ranges.Add(new IovaRange(start, end));
            }

            return ranges;
        }

        return full;
    }

    /// <summary>VFIO_GROUP_GET_DEVICE_FD with the device name ("0000:00:00.0").</summary>
    internal IVfioFile OpenDevice(IVfioKernel kernel, string name)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(name) + 1];
        System.Text.Encoding.UTF8.GetBytes(name, bytes);
        int fd;
        fixed (byte* p = bytes)
        {
            fd = _group.IoctlOrThrow(
                Ioctl.VFIO_GROUP_GET_DEVICE_FD,
                p,
                nameof(Ioctl.VFIO_GROUP_GET_DEVICE_FD),
                $"device {name}");
        }

        return kernel.Adopt(fd, $"{_group.Path} device {name}");
    }

    /// <inheritdoc />
    public void Map(nint address, ulong iova, ulong length)
    {
        var map = new Interop.vfio_iommu_type1_dma_map
        {
            argsz = (uint)sizeof(Interop.vfio_iommu_type1_dma_map),
            flags = Interop.vfio_iommu_type1_dma_map.VFIO_DMA_MAP_FLAG_READ | Interop.vfio_iommu_type1_dma_map.VFIO_DMA_MAP_FLAG_WRITE,
            vaddr = (ulong)address,
            iova = iova,
            size = length,
        };
        _container.IoctlOrThrow(
            Ioctl.VFIO_IOMMU_MAP_DMA,
            &map,
            nameof(Ioctl.VFIO_IOMMU_MAP_DMA),
            $"iova 0x{iova:x}, {length} bytes (pinned memory counts against RLIMIT_MEMLOCK)");
    }

    /// <inheritdoc />
    public void Unmap(ulong iova, ulong length)
    {
        var unmap = new Interop.vfio_iommu_type1_dma_unmap
        {
            argsz = (uint)sizeof(Interop.vfio_iommu_type1_dma_unmap),
            iova = iova,
            size = length,
        };
        _container.IoctlOrThrow(Ioctl.VFIO_IOMMU_UNMAP_DMA, &unmap, nameof(Ioctl.VFIO_IOMMU_UNMAP_DMA), $"iova 0x{iova:x}, {length} bytes");
        if (unmap.size != length)
        {
            throw VfioErrors.FromErrno(
                Errno.EIO,
                $"{nameof(Ioctl.VFIO_IOMMU_UNMAP_DMA)} on {_container.Path}",
                $"iova 0x{iova:x}: {unmap.size} of {length} bytes were unmapped");
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        // Closing the group detaches it from the container; the container goes last.
        _group.Dispose();
        _container.Dispose();
    }
}
