using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

/// <summary>
/// Every ioctl number, flag, struct size and field offset the kernel path uses, next to the C expression the kernel
/// headers define it by. Values are read off the code (constants, <c>[FieldOffset]</c> layouts), so a wrong
/// constant here is a wrong constant in the code; tests/IsmFabric.Vfio.Tests compiles the expressions against
/// linux/vfio.h, linux/vfio_zdev.h, linux/iommufd.h and libc with gcc (host and s390x) and compares.
/// </summary>
internal static class VfioAbi
{
    /// <summary>Guard and reason for linux/vfio_zdev.h.</summary>
    private const string Zdev = "ISMFABRIC_HAVE_VFIO_ZDEV";

    /// <summary>Guard for linux/iommufd.h.</summary>
    private const string Iommufd = "ISMFABRIC_HAVE_IOMMUFD";

    private const string Cdev = "defined(VFIO_DEVICE_BIND_IOMMUFD)";
    private const string ZdevReason = "<linux/vfio_zdev.h> is not installed";
    private const string IommufdReason = "<linux/iommufd.h> is not installed (UAPI headers older than iommufd)";
    private const string CdevReason = "<linux/vfio.h> predates the VFIO device cdev (no VFIO_DEVICE_BIND_IOMMUFD)";

    /// <summary>The includes and helper macros the guards and expressions assume.</summary>
    internal const string CPreamble = """
        #include <stddef.h>
        #include <errno.h>
        #include <fcntl.h>
        #include <poll.h>
        #include <sys/eventfd.h>
        #include <sys/mman.h>
        #include <sys/types.h>
        #include <linux/vfio.h>
        #if __has_include(<linux/vfio_zdev.h>)
        #include <linux/vfio_zdev.h>
        #define ISMFABRIC_HAVE_VFIO_ZDEV 1
        #else
        #define ISMFABRIC_HAVE_VFIO_ZDEV 0
        #endif
        #if __has_include(<linux/iommufd.h>)
        #include <linux/iommufd.h>
        #define ISMFABRIC_HAVE_IOMMUFD 1
        #else
        #define ISMFABRIC_HAVE_IOMMUFD 0
        #endif
        #define ISMFABRIC_OFFSETOFEND(type, member) (offsetof(type, member) + sizeof(((type *)0)->member))
        """;

    /// <summary>The facts, in header order.</summary>
    internal static IReadOnlyList<AbiFact> Facts { get; } = Build();

    private static List<AbiFact> Build()
    {
        var f = new List<AbiFact>();

        // linux/vfio.h: ioctl requests.
        f.AddRange(
        [
            C("VFIO_API_VERSION", Interop.VfioIoctl.VFIO_API_VERSION),
            C("VFIO_TYPE1v2_IOMMU", Interop.VfioIoctl.VFIO_TYPE1v2_IOMMU),
            C("VFIO_GET_API_VERSION", Interop.VfioIoctl.VFIO_GET_API_VERSION),
            C("VFIO_CHECK_EXTENSION", Interop.VfioIoctl.VFIO_CHECK_EXTENSION),
            C("VFIO_SET_IOMMU", Interop.VfioIoctl.VFIO_SET_IOMMU),
            C("VFIO_GROUP_GET_STATUS", Interop.VfioIoctl.VFIO_GROUP_GET_STATUS),
            C("VFIO_GROUP_SET_CONTAINER", Interop.VfioIoctl.VFIO_GROUP_SET_CONTAINER),
            C("VFIO_GROUP_GET_DEVICE_FD", Interop.VfioIoctl.VFIO_GROUP_GET_DEVICE_FD),
            C("VFIO_DEVICE_GET_INFO", Interop.VfioIoctl.VFIO_DEVICE_GET_INFO),
            C("VFIO_DEVICE_GET_REGION_INFO", Interop.VfioIoctl.VFIO_DEVICE_GET_REGION_INFO),
            C("VFIO_DEVICE_GET_IRQ_INFO", Interop.VfioIoctl.VFIO_DEVICE_GET_IRQ_INFO),
            C("VFIO_DEVICE_SET_IRQS", Interop.VfioIoctl.VFIO_DEVICE_SET_IRQS),
            C("VFIO_DEVICE_RESET", Interop.VfioIoctl.VFIO_DEVICE_RESET),
            C("VFIO_IOMMU_GET_INFO", Interop.VfioIoctl.VFIO_IOMMU_GET_INFO),
            C("VFIO_IOMMU_MAP_DMA", Interop.VfioIoctl.VFIO_IOMMU_MAP_DMA),
            C("VFIO_IOMMU_UNMAP_DMA", Interop.VfioIoctl.VFIO_IOMMU_UNMAP_DMA),
            C("VFIO_DEVICE_BIND_IOMMUFD", Interop.VfioIoctl.VFIO_DEVICE_BIND_IOMMUFD, Cdev, CdevReason),
            C("VFIO_DEVICE_ATTACH_IOMMUFD_PT", Interop.VfioIoctl.VFIO_DEVICE_ATTACH_IOMMUFD_PT, Cdev, CdevReason),
        ]);

        // linux/vfio.h: flags and indexes, including the public enums of the seam.
        f.AddRange(
        [
            C("VFIO_GROUP_FLAGS_VIABLE", Interop.vfio_group_status.VFIO_GROUP_FLAGS_VIABLE),
            C("VFIO_GROUP_FLAGS_CONTAINER_SET", Interop.vfio_group_status.VFIO_GROUP_FLAGS_CONTAINER_SET),
            C("VFIO_DEVICE_FLAGS_RESET", (long)VfioDeviceFlags.Reset),
            C("VFIO_DEVICE_FLAGS_PCI", (long)VfioDeviceFlags.Pci),
            C("VFIO_DEVICE_FLAGS_PLATFORM", (long)VfioDeviceFlags.Platform),
            C("VFIO_DEVICE_FLAGS_AMBA", (long)VfioDeviceFlags.Amba),
            C("VFIO_DEVICE_FLAGS_CCW", (long)VfioDeviceFlags.Ccw),
            C("VFIO_DEVICE_FLAGS_AP", (long)VfioDeviceFlags.Ap),
            C("VFIO_DEVICE_FLAGS_FSL_MC", (long)VfioDeviceFlags.FslMc),
            C("VFIO_DEVICE_FLAGS_CAPS", (long)VfioDeviceFlags.Caps),
            C("VFIO_DEVICE_FLAGS_CAPS", Interop.vfio_device_info.VFIO_DEVICE_FLAGS_CAPS),
            C("VFIO_DEVICE_FLAGS_CDX", (long)VfioDeviceFlags.Cdx, "defined(VFIO_DEVICE_FLAGS_CDX)", "<linux/vfio.h> predates VFIO_DEVICE_FLAGS_CDX"),
            C("VFIO_DEVICE_INFO_CAP_ZPCI_BASE", Interop.vfio_device_info_cap_zpci_base.Id),
            C("VFIO_DEVICE_INFO_CAP_ZPCI_GROUP", Interop.vfio_device_info_cap_zpci_group.Id),
            C("VFIO_DEVICE_INFO_CAP_ZPCI_UTIL", Interop.vfio_device_info_cap_zpci_util.Id),
            C("VFIO_DEVICE_INFO_CAP_ZPCI_PFIP", Interop.vfio_device_info_cap_zpci_pfip.Id),
            C("VFIO_REGION_INFO_FLAG_READ", (long)VfioRegionFlags.Read),
            C("VFIO_REGION_INFO_FLAG_WRITE", (long)VfioRegionFlags.Write),
            C("VFIO_REGION_INFO_FLAG_MMAP", (long)VfioRegionFlags.Mmap),
            C("VFIO_REGION_INFO_FLAG_CAPS", (long)VfioRegionFlags.Caps),
            C("VFIO_IRQ_INFO_EVENTFD", (long)VfioIrqInfoFlags.Eventfd),
            C("VFIO_IRQ_INFO_MASKABLE", (long)VfioIrqInfoFlags.Maskable),
            C("VFIO_IRQ_INFO_AUTOMASKED", (long)VfioIrqInfoFlags.Automasked),
            C("VFIO_IRQ_INFO_NORESIZE", (long)VfioIrqInfoFlags.NoResize),
            C("VFIO_IRQ_SET_DATA_NONE", Interop.vfio_irq_set.VFIO_IRQ_SET_DATA_NONE),
            C("VFIO_IRQ_SET_DATA_BOOL", Interop.vfio_irq_set.VFIO_IRQ_SET_DATA_BOOL),
            C("VFIO_IRQ_SET_DATA_EVENTFD", Interop.vfio_irq_set.VFIO_IRQ_SET_DATA_EVENTFD),
            C("VFIO_IRQ_SET_ACTION_MASK", Interop.vfio_irq_set.VFIO_IRQ_SET_ACTION_MASK),
            C("VFIO_IRQ_SET_ACTION_UNMASK", Interop.vfio_irq_set.VFIO_IRQ_SET_ACTION_UNMASK),
            C("VFIO_IRQ_SET_ACTION_TRIGGER", Interop.vfio_irq_set.VFIO_IRQ_SET_ACTION_TRIGGER),
            C("VFIO_PCI_BAR0_REGION_INDEX", VfioPciRegion.Bar0),
            C("VFIO_PCI_BAR2_REGION_INDEX", VfioPciRegion.Bar2),
            C("VFIO_PCI_BAR5_REGION_INDEX", VfioPciRegion.Bar5),
            C("VFIO_PCI_ROM_REGION_INDEX", VfioPciRegion.Rom),
            C("VFIO_PCI_CONFIG_REGION_INDEX", VfioPciRegion.Config),
            C("VFIO_PCI_VGA_REGION_INDEX", VfioPciRegion.Vga),
            C("VFIO_PCI_NUM_REGIONS", VfioPciRegion.NumRegions),
            C("VFIO_PCI_INTX_IRQ_INDEX", VfioIrqIndex.Intx),
            C("VFIO_PCI_MSI_IRQ_INDEX", VfioIrqIndex.Msi),
            C("VFIO_PCI_MSIX_IRQ_INDEX", VfioIrqIndex.Msix),
            C("VFIO_PCI_ERR_IRQ_INDEX", VfioIrqIndex.Err),
            C("VFIO_PCI_REQ_IRQ_INDEX", VfioIrqIndex.Req),
            C("VFIO_PCI_NUM_IRQS", VfioIrqIndex.NumIrqs),
            C("VFIO_IOMMU_INFO_PGSIZES", Interop.vfio_iommu_type1_info.VFIO_IOMMU_INFO_PGSIZES),
            C("VFIO_IOMMU_INFO_CAPS", Interop.vfio_iommu_type1_info.VFIO_IOMMU_INFO_CAPS),
            C("VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE", Interop.vfio_iommu_type1_info.VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE),
            C("VFIO_DMA_MAP_FLAG_READ", Interop.vfio_iommu_type1_dma_map.VFIO_DMA_MAP_FLAG_READ),
            C("VFIO_DMA_MAP_FLAG_WRITE", Interop.vfio_iommu_type1_dma_map.VFIO_DMA_MAP_FLAG_WRITE),
        ]);

        // linux/vfio.h: struct layouts.
        f.AddRange(Layout<Interop.vfio_info_cap_header>("vfio_info_cap_header"));
        f.AddRange(Layout<Interop.vfio_group_status>("vfio_group_status"));
        f.AddRange(Layout<Interop.vfio_device_info>("vfio_device_info", skip: [nameof(Interop.vfio_device_info.pad)], olderSize: 20));
        f.Add(new AbiFact(
            "ISMFABRIC_OFFSETOFEND(struct vfio_device_info, cap_offset)",
            NativeLayout.OffsetOfEnd<Interop.vfio_device_info>(nameof(Interop.vfio_device_info.cap_offset))));
        f.AddRange(Layout<Interop.vfio_region_info>("vfio_region_info"));
        f.AddRange(Layout<Interop.vfio_irq_info>("vfio_irq_info"));
        f.AddRange(Layout<Interop.vfio_irq_set>("vfio_irq_set"));
        f.Add(new AbiFact("offsetof(struct vfio_irq_set, data)", NativeLayout.Offset<Interop.vfio_irq_set_eventfd>(nameof(Interop.vfio_irq_set_eventfd.eventfd))));
        f.Add(new AbiFact("sizeof(struct vfio_irq_set) + sizeof(__s32)", NativeLayout.Size<Interop.vfio_irq_set_eventfd>()));
        f.AddRange(Layout<Interop.vfio_iommu_type1_info>("vfio_iommu_type1_info"));
        f.Add(new AbiFact(
            "ISMFABRIC_OFFSETOFEND(struct vfio_iommu_type1_info, cap_offset)",
            NativeLayout.OffsetOfEnd<Interop.vfio_iommu_type1_info>(nameof(Interop.vfio_iommu_type1_info.cap_offset))));
        f.AddRange(Layout<Interop.vfio_iommu_type1_info_cap_iova_range>("vfio_iommu_type1_info_cap_iova_range"));
        f.Add(new AbiFact("offsetof(struct vfio_iommu_type1_info_cap_iova_range, iova_ranges)", NativeLayout.Size<Interop.vfio_iommu_type1_info_cap_iova_range>()));
        f.AddRange(Layout<Interop.vfio_iova_range>("vfio_iova_range"));
        f.AddRange(Layout<Interop.vfio_iommu_type1_dma_map>("vfio_iommu_type1_dma_map"));
        f.AddRange(Layout<Interop.vfio_iommu_type1_dma_unmap>("vfio_iommu_type1_dma_unmap"));
        f.AddRange(Layout<Interop.vfio_device_bind_iommufd>(
            "vfio_device_bind_iommufd",
            Cdev,
            CdevReason,
            skip: [nameof(Interop.vfio_device_bind_iommufd.token_uuid_ptr)],
            olderSize: 16));
        f.Add(new AbiFact(
            "offsetof(struct vfio_device_bind_iommufd, token_uuid_ptr)",
            NativeLayout.Offset<Interop.vfio_device_bind_iommufd>(nameof(Interop.vfio_device_bind_iommufd.token_uuid_ptr)),
            "defined(VFIO_DEVICE_BIND_FLAG_TOKEN)",
            "<linux/vfio.h> predates vfio_device_bind_iommufd.token_uuid_ptr"));
        f.AddRange(Layout<Interop.vfio_device_attach_iommufd_pt>(
            "vfio_device_attach_iommufd_pt",
            Cdev,
            CdevReason,
            skip: [nameof(Interop.vfio_device_attach_iommufd_pt.pasid)],
            olderSize: 12));
        f.Add(new AbiFact(
            "offsetof(struct vfio_device_attach_iommufd_pt, pasid)",
            NativeLayout.Offset<Interop.vfio_device_attach_iommufd_pt>(nameof(Interop.vfio_device_attach_iommufd_pt.pasid)),
            "defined(VFIO_DEVICE_ATTACH_PASID)",
            "<linux/vfio.h> predates vfio_device_attach_iommufd_pt.pasid"));

        // linux/vfio_zdev.h: the zPCI capabilities, with the offsets where each version ends.
        f.AddRange(Layout<Interop.vfio_device_info_cap_zpci_base>("vfio_device_info_cap_zpci_base", Zdev, ZdevReason));
        f.AddRange(Layout<Interop.vfio_device_info_cap_zpci_group>("vfio_device_info_cap_zpci_group", Zdev, ZdevReason));
        f.AddRange(Layout<Interop.vfio_device_info_cap_zpci_util>("vfio_device_info_cap_zpci_util", Zdev, ZdevReason));
        f.AddRange(Layout<Interop.vfio_device_info_cap_zpci_pfip>("vfio_device_info_cap_zpci_pfip", Zdev, ZdevReason));
        f.AddRange(
        [
            End<Interop.vfio_device_info_cap_zpci_base>("vfio_device_info_cap_zpci_base", nameof(Interop.vfio_device_info_cap_zpci_base.gid)),
            End<Interop.vfio_device_info_cap_zpci_base>("vfio_device_info_cap_zpci_base", nameof(Interop.vfio_device_info_cap_zpci_base.fh)),
            End<Interop.vfio_device_info_cap_zpci_group>("vfio_device_info_cap_zpci_group", nameof(Interop.vfio_device_info_cap_zpci_group.version)),
            End<Interop.vfio_device_info_cap_zpci_group>("vfio_device_info_cap_zpci_group", nameof(Interop.vfio_device_info_cap_zpci_group.imaxstbl)),
            new("offsetof(struct vfio_device_info_cap_zpci_util, util_str)", Interop.vfio_device_info_cap_zpci_util.util_str_offset, Zdev, ZdevReason),
            new("offsetof(struct vfio_device_info_cap_zpci_pfip, pfip)", Interop.vfio_device_info_cap_zpci_pfip.pfip_offset, Zdev, ZdevReason),
        ]);

        // linux/iommufd.h.
        f.AddRange(
        [
            C("IOMMU_IOAS_ALLOC", Interop.IommufdIoctl.IOMMU_IOAS_ALLOC, Iommufd, IommufdReason),
            C("IOMMU_IOAS_IOVA_RANGES", Interop.IommufdIoctl.IOMMU_IOAS_IOVA_RANGES, Iommufd, IommufdReason),
            C("IOMMU_IOAS_MAP", Interop.IommufdIoctl.IOMMU_IOAS_MAP, Iommufd, IommufdReason),
            C("IOMMU_IOAS_UNMAP", Interop.IommufdIoctl.IOMMU_IOAS_UNMAP, Iommufd, IommufdReason),
            C("IOMMU_IOAS_MAP_FIXED_IOVA", Interop.iommu_ioas_map.IOMMU_IOAS_MAP_FIXED_IOVA, Iommufd, IommufdReason),
            C("IOMMU_IOAS_MAP_WRITEABLE", Interop.iommu_ioas_map.IOMMU_IOAS_MAP_WRITEABLE, Iommufd, IommufdReason),
            C("IOMMU_IOAS_MAP_READABLE", Interop.iommu_ioas_map.IOMMU_IOAS_MAP_READABLE, Iommufd, IommufdReason),
        ]);
        f.AddRange(Layout<Interop.iommu_ioas_alloc>("iommu_ioas_alloc", Iommufd, IommufdReason));
        f.AddRange(Layout<Interop.iommu_ioas_iova_ranges>("iommu_ioas_iova_ranges", Iommufd, IommufdReason));
        f.AddRange(Layout<Interop.iommu_iova_range>("iommu_iova_range", Iommufd, IommufdReason));
        f.AddRange(Layout<Interop.iommu_ioas_map>("iommu_ioas_map", Iommufd, IommufdReason));
        f.AddRange(Layout<Interop.iommu_ioas_unmap>("iommu_ioas_unmap", Iommufd, IommufdReason));

        // libc and the C ABI the imports assume.
        f.AddRange(
        [
            C("O_WRONLY", Interop.O_WRONLY),
            C("O_RDWR", Interop.O_RDWR),
            C("O_CLOEXEC", Interop.O_CLOEXEC),
            C("EFD_CLOEXEC", Interop.EFD_CLOEXEC),
            C("EFD_NONBLOCK", Interop.EFD_NONBLOCK),
            C("POLLIN", Interop.POLLIN),
            C("POLLERR", Interop.POLLERR),
            C("POLLHUP", Interop.POLLHUP),
            C("POLLNVAL", Interop.POLLNVAL),
            C("PROT_READ", Interop.PROT_READ),
            C("PROT_WRITE", Interop.PROT_WRITE),
            C("MAP_PRIVATE", Interop.MAP_PRIVATE),
            C("MAP_ANONYMOUS", Interop.MAP_ANONYMOUS),
            C("(long)MAP_FAILED", Interop.MAP_FAILED),
            C("MADV_DONTFORK", Interop.MADV_DONTFORK),
            new("sizeof(struct pollfd)", NativeLayout.Size<Interop.PollFd>()),
            new("offsetof(struct pollfd, fd)", NativeLayout.Offset<Interop.PollFd>(nameof(Interop.PollFd.fd))),
            new("offsetof(struct pollfd, events)", NativeLayout.Offset<Interop.PollFd>(nameof(Interop.PollFd.events))),
            new("offsetof(struct pollfd, revents)", NativeLayout.Offset<Interop.PollFd>(nameof(Interop.PollFd.revents))),
            new("sizeof(off_t)", sizeof(long)),
            new("sizeof(size_t)", IntPtr.Size),
            new("sizeof(unsigned long)", IntPtr.Size),
            new("sizeof(int)", sizeof(int)),
            new("sizeof(eventfd_t)", sizeof(ulong)),
        ]);

        // errno.h: the seam's Errno constants.
        f.AddRange(
        [
            C("EPERM", Errno.EPERM), C("ENOENT", Errno.ENOENT), C("EINTR", Errno.EINTR), C("EIO", Errno.EIO),
            C("ENXIO", Errno.ENXIO), C("EBADF", Errno.EBADF), C("EAGAIN", Errno.EAGAIN), C("ENOMEM", Errno.ENOMEM),
            C("EACCES", Errno.EACCES), C("EFAULT", Errno.EFAULT), C("EBUSY", Errno.EBUSY), C("EEXIST", Errno.EEXIST),
            C("ENODEV", Errno.ENODEV), C("EINVAL", Errno.EINVAL), C("ENOSPC", Errno.ENOSPC), C("ENOTTY", Errno.ENOTTY),
            C("EPROTO", Errno.EPROTO), C("EMSGSIZE", Errno.EMSGSIZE), C("EOPNOTSUPP", Errno.EOPNOTSUPP),
            C("ENETUNREACH", Errno.ENETUNREACH), C("ETIMEDOUT", Errno.ETIMEDOUT),
        ]);

        return f;
    }

    private static AbiFact C(string macro, long value, string guard = "1", string? reason = null) => new(macro, value, guard, reason);

    private static AbiFact C(string macro, nuint value, string guard = "1", string? reason = null) => new(macro, (long)value, guard, reason);

    private static AbiFact End<T>(string cStruct, string field)
        where T : unmanaged =>
        new($"ISMFABRIC_OFFSETOFEND(struct {cStruct}, {field})", NativeLayout.OffsetOfEnd<T>(field), Zdev, ZdevReason);

    /// <summary>sizeof and the offset of every field of an interop struct; C# field names are the C names.</summary>
    private static IEnumerable<AbiFact> Layout<T>(
        string cStruct, string guard = "1", string? reason = null, string[]? skip = null, long? olderSize = null)
        where T : unmanaged
    {
        yield return new AbiFact($"sizeof(struct {cStruct})", NativeLayout.Size<T>(), guard, reason, olderSize);
        foreach (var field in typeof(T).GetFields(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic))
        {
            if (skip is null || !skip.Contains(field.Name))
            {
                yield return new AbiFact($"offsetof(struct {cStruct}, {field.Name})", (long)Marshal.OffsetOf<T>(field.Name), guard, reason);
            }
        }
    }
}
