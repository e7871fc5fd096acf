using Xunit;

namespace IsmFabric.Vfio.Tests;

/// <summary>The container/group flow, driven against the fake kernel.</summary>
public sealed class LegacyFlowTests : IDisposable
{
    private readonly VfioRig _rig = new(cdevNode: false);

    public void Dispose() => _rig.Dispose();

    [Fact]
    public void Opening_runs_the_container_and_group_handshake_in_kernel_order()
    {
        using var device = _rig.Open(VfioOpenMode.Legacy);

        Assert.Equal(
            [
                $"open {_rig.Dev}/vfio/vfio",
                "container VFIO_GET_API_VERSION",
                "container VFIO_CHECK_EXTENSION",
                $"open {_rig.Dev}/vfio/7",
                "group VFIO_GROUP_GET_STATUS",
                "group VFIO_GROUP_SET_CONTAINER",
                "container VFIO_SET_IOMMU",
                "container VFIO_IOMMU_GET_INFO",
                "container VFIO_IOMMU_GET_INFO",
                "group VFIO_GROUP_GET_DEVICE_FD",
                $"adopt {_rig.Device.Descriptor}",
                "device VFIO_DEVICE_GET_INFO",
                "device VFIO_DEVICE_GET_INFO",
            ],
            _rig.Log);
        Assert.Equal(VfioOpenMode.Legacy, device.Mode);
        Assert.Equal(VfioRig.Bdf, device.Name);
    }

    [Fact]
    public void Auto_uses_the_legacy_flow_when_the_function_has_no_vfio_dev_node()
    {
        using var device = _rig.Open(VfioOpenMode.Auto);

        Assert.Equal(VfioOpenMode.Legacy, device.Mode);
    }

    [Fact]
    public void The_iova_ranges_come_from_the_iommu_info_capability_and_are_cut_to_the_zpci_window()
    {
        _rig.Container.Ranges.Clear();
        _rig.Container.Ranges.AddRange([new IovaRange(0, 0x1_7fff_ffff), new IovaRange(0x1_c000_0000, 0xffff_ffff_ffff)]);

        using var device = _rig.Open(VfioOpenMode.Legacy);

        // BASE says 0x1_0000_0000..0x1_ffff_ffff (IsmDeviceInfoSamples).
        Assert.Equal([new IovaRange(0x1_0000_0000, 0x1_7fff_ffff), new IovaRange(0x1_c000_0000, 0x1_ffff_ffff)], device.DmaRanges);
    }

    [Fact]
    public void A_non_viable_group_is_refused_and_the_error_names_the_device_bound_to_another_driver()
    {
        _rig.GroupFile.Viable = false;
        _rig.Sysfs.AddFunction("0000:00:1f.6", 0x8086, 0x15bb, driver: "e1000e", group: VfioRig.Group);

        var e = Assert.Throws<VfioPermissionDeniedException>(() => _rig.Open(VfioOpenMode.Legacy));

        Assert.Contains($"VFIO_GROUP_GET_STATUS on {_rig.Dev}/vfio/7", e.Message, StringComparison.Ordinal);
        Assert.Contains("the group is not viable", e.Message, StringComparison.Ordinal);
        Assert.Contains("0000:00:1f.6 is bound to e1000e", e.Message, StringComparison.Ordinal);
        Assert.True(_rig.GroupFile.Closed && _rig.Container.Closed);
    }

    [Fact]
    public void A_missing_group_node_says_which_driver_holds_the_function()
    {
        _rig.Sysfs.SetDriver(VfioRig.Bdf, "ism");
        _rig.GroupFile.OpenErrno = Errno.ENOENT;

        var e = Assert.Throws<VfioException>(() => _rig.Open(VfioOpenMode.Legacy));

        Assert.Equal(Errno.ENOENT, e.Errno);
        Assert.Contains($"open {_rig.Dev}/vfio/7", e.Message, StringComparison.Ordinal);
        Assert.Contains("0000:00:00.0 is bound to ism, not to vfio-pci or ism_vfio_pci", e.Message, StringComparison.Ordinal);
        Assert.True(_rig.Container.Closed);
    }

    [Fact]
    public void A_kernel_speaking_another_vfio_api_is_refused()
    {
        _rig.Container.ApiVersion = 1;

        var e = Assert.Throws<VfioNotSupportedException>(() => _rig.Open(VfioOpenMode.Legacy));

        Assert.Contains("the kernel speaks VFIO API 1, this code speaks 0", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kernel_without_type1v2_is_refused()
    {
        _rig.Container.HasType1v2 = false;

        var e = Assert.Throws<VfioNotSupportedException>(() => _rig.Open(VfioOpenMode.Legacy));

        Assert.Contains("VFIO_CHECK_EXTENSION(VFIO_TYPE1v2_IOMMU)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_failure_after_the_group_joined_closes_the_group_then_the_container()
    {
        _rig.GroupFile.FailNext[Interop.VfioIoctl.VFIO_GROUP_GET_DEVICE_FD] = Errno.ENODEV;

        Assert.Throws<VfioDeviceUnavailableException>(() => _rig.Open(VfioOpenMode.Legacy));

        Assert.Equal(["close group", "close container"], _rig.Log.Where(l => l.StartsWith("close", StringComparison.Ordinal)));
    }

    [Fact]
    public void Dma_is_mapped_with_vfio_iommu_map_dma_read_write_inside_the_window()
    {
        using var device = _rig.Open(VfioOpenMode.Legacy);

        using var buffer = device.AllocateDma(8192);

        var map = _rig.Container.Mappings[buffer.Iova];
        Assert.Equal((32u, 3u, (ulong)buffer.Address, 8192UL), (map.argsz, map.flags, map.vaddr, map.size));
        Assert.InRange(buffer.Iova, IsmDeviceInfoSamples.StartDma, IsmDeviceInfoSamples.EndDma - 8191);
        Assert.Equal(0UL, buffer.Iova % 8192);
    }

    [Fact]
    public void Disposing_a_dma_buffer_unmaps_it_from_the_container_before_the_memory_goes()
    {
        using var device = _rig.Open(VfioOpenMode.Legacy);
        var buffer = device.AllocateDma(4096);
        _rig.Log.Clear();

        buffer.Dispose();

        Assert.Equal(["container VFIO_IOMMU_UNMAP_DMA", "munmap 4096"], _rig.Log);
        Assert.Empty(_rig.Container.Mappings);
    }

    [Fact]
    public void Dispose_closes_the_device_then_unmaps_then_closes_the_group_before_the_container()
    {
        var device = _rig.Open(VfioOpenMode.Legacy);
        device.EnableMsi();
        _ = device.AllocateDma(4096);
        _rig.Log.Clear();

        device.Dispose();

        Assert.Equal(
            ["device VFIO_DEVICE_SET_IRQS", "close device", "container VFIO_IOMMU_UNMAP_DMA", "munmap 4096", "close group", "close container"],
            _rig.Log);
        Assert.Null(_rig.Device.MsiEventfd);
    }

    [Fact]
    public void A_second_dispose_does_nothing_and_later_calls_report_the_disposed_device()
    {
        var device = _rig.Open(VfioOpenMode.Legacy);
        device.Dispose();
        _rig.Log.Clear();

        device.Dispose();

        Assert.Empty(_rig.Log);
        Assert.Throws<ObjectDisposedException>(() => device.GetRegionInfo(0));
        Assert.Throws<ObjectDisposedException>(() => device.AllocateDma(4096));
    }
}
