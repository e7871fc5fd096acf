using Xunit;

namespace IsmFabric.Vfio.Tests;

/// <summary>The cdev + iommufd flow, driven against the fake kernel.</summary>
public sealed class CdevFlowTests : IDisposable
{
    private readonly VfioRig _rig = new();

    public void Dispose() => _rig.Dispose();

    [Fact]
    public void Opening_binds_the_device_allocates_an_ioas_attaches_and_then_reads_the_ranges()
    {
        using var device = _rig.Open(VfioOpenMode.Cdev);

        Assert.Equal(
            [
                $"open {_rig.Dev}/vfio/devices/vfio0",
                $"open {_rig.Dev}/iommu",
                "device VFIO_DEVICE_BIND_IOMMUFD",
                "iommufd IOMMU_IOAS_ALLOC",
                "device VFIO_DEVICE_ATTACH_IOMMUFD_PT",
                "iommufd IOMMU_IOAS_IOVA_RANGES",
                "iommufd IOMMU_IOAS_IOVA_RANGES",
                "device VFIO_DEVICE_GET_INFO",
                "device VFIO_DEVICE_GET_INFO",
            ],
            _rig.Log);
        Assert.Equal(_rig.Iommufd.Descriptor, _rig.Device.BoundIommufd);
        Assert.Equal(_rig.Iommufd.IoasId, _rig.Device.AttachedIoas);
        Assert.Equal(VfioOpenMode.Cdev, device.Mode);
    }

    [Fact]
    public void The_range_query_asks_with_no_room_gets_emsgsize_and_asks_again_with_the_count()
    {
        _rig.Iommufd.Ranges.Clear();
        _rig.Iommufd.Ranges.AddRange([new IovaRange(0x1000, 0xfedf_ffff), new IovaRange(0xfef0_0000, 0x1_3fff_ffff), new IovaRange(0x1_8000_0000, 0xffff_ffff_ffff)]);

        using var device = _rig.Open(VfioOpenMode.Cdev);

        Assert.Equal([0u, 3u], _rig.Iommufd.RangeQueriesWith);
        Assert.Equal([new IovaRange(0x1_0000_0000, 0x1_3fff_ffff), new IovaRange(0x1_8000_0000, 0x1_ffff_ffff)], device.DmaRanges);
    }

    [Fact]
    public void Auto_prefers_cdev_when_the_vfio_dev_node_and_dev_iommu_exist()
    {
        using var device = _rig.Open(VfioOpenMode.Auto);

        Assert.Equal(VfioOpenMode.Cdev, device.Mode);
    }

    [Fact]
    public void Auto_falls_back_to_the_legacy_flow_without_dev_iommu()
    {
        using var rig = new VfioRig(devIommu: false);

        using var device = rig.Open(VfioOpenMode.Auto);

        Assert.Equal(VfioOpenMode.Legacy, device.Mode);
    }

    [Fact]
    public void Dma_is_mapped_with_ioas_map_at_a_fixed_iova_readable_and_writeable()
    {
        using var device = _rig.Open(VfioOpenMode.Cdev);

        using var buffer = device.AllocateDma(3 * 4096);

        var map = _rig.Iommufd.Mappings[buffer.Iova];
        Assert.Equal((40u, 7u, _rig.Iommufd.IoasId, (ulong)buffer.Address, 3UL * 4096), (map.size, map.flags, map.ioas_id, map.user_va, map.length));
        Assert.Equal(0UL, buffer.Iova % (4 * 4096));
        Assert.InRange(buffer.Iova, IsmDeviceInfoSamples.StartDma, IsmDeviceInfoSamples.EndDma);
    }

    [Fact]
    public void Dispose_closes_the_device_before_unmapping_and_the_iommufd_last()
    {
        var device = _rig.Open(VfioOpenMode.Cdev);
        _ = device.AllocateDma(4096);
        _rig.Log.Clear();

        device.Dispose();

        Assert.Equal(["close device", "iommufd IOMMU_IOAS_UNMAP", "munmap 4096", "close iommufd"], _rig.Log);
        Assert.Empty(_rig.Iommufd.Mappings);
    }

    [Fact]
    public void A_failed_bind_closes_the_device_and_the_iommufd()
    {
        _rig.Device.FailNext[Interop.VfioIoctl.VFIO_DEVICE_BIND_IOMMUFD] = Errno.EPERM;

        var e = Assert.Throws<VfioPermissionDeniedException>(() => _rig.Open(VfioOpenMode.Cdev));

        Assert.Contains($"VFIO_DEVICE_BIND_IOMMUFD on {_rig.Dev}/vfio/devices/vfio0", e.Message, StringComparison.Ordinal);
        Assert.Equal(["close iommufd", "close device"], _rig.Log.Where(l => l.StartsWith("close", StringComparison.Ordinal)));
    }

    [Fact]
    public void Cdev_mode_without_a_vfio_dev_node_explains_what_is_missing()
    {
        using var rig = new VfioRig(cdevNode: false);

        var e = Assert.Throws<VfioDeviceUnavailableException>(() => rig.Open(VfioOpenMode.Cdev));

        Assert.Contains($"{rig.Sysfs.Root}/bus/pci/devices/{VfioRig.Bdf}/vfio-dev has no vfioN node", e.Message, StringComparison.Ordinal);
        Assert.Contains("CONFIG_VFIO_DEVICE_CDEV", e.Message, StringComparison.Ordinal);
    }
}
