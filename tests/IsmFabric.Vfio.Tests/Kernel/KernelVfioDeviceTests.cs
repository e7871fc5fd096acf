using Xunit;

namespace IsmFabric.Vfio.Tests;

/// <summary>What a driver sees of a kernel-opened device: info, regions, I/O, MSI, reset (flow-independent).</summary>
public sealed class KernelVfioDeviceTests : IDisposable
{
    private readonly VfioRig _rig = new();
    private readonly KernelVfioDevice _device;

    public KernelVfioDeviceTests()
    {
        try
        {
            _device = _rig.Open(VfioOpenMode.Cdev);
        }
        catch
        {
            _rig.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _device.Dispose();
        _rig.Dispose();
    }

    [Fact]
    public void Device_info_is_asked_again_with_the_larger_argsz_and_the_zpci_capabilities_are_decoded()
    {
        _rig.Device.FailNext.Clear();
        var before = _rig.Device.InfoCalls;

        var info = _device.GetInfo();

        Assert.Equal(2, _rig.Device.InfoCalls - before);
        Assert.Equal(IsmDeviceInfoSamples.StartDma, info.ZpciBase!.StartDma);
        Assert.Equal(IsmDeviceInfoSamples.Imaxstbl, info.ZpciGroup!.Imaxstbl);
        Assert.Equal("NETA", PnetId.Decode(info.ZpciUtil!.UtilString)[0]);
        Assert.Equal((9u, 5u), (info.NumRegions, info.NumIrqs));
    }

    [Fact]
    public void Region_offsets_come_from_the_kernel_not_from_the_index()
    {
        // A driver that computed index << 40 (stock vfio-pci) would land here and miss.
        _rig.Device.Regions[2] = (3, 0x1000, 0x0002_0000_0000_0000 + 0x1000);
        _rig.Device.Memory[0x0002_0000_0000_1000] = new byte[0x1000];

        var bar2 = new VfioRegion(_device, VfioPciRegion.Bar2);
        bar2.Write(8, [1, 2, 3, 4, 5, 6, 7, 8]);

        Assert.Equal(0x0002_0000_0000_1000, bar2.Info.Offset);
        Assert.Contains("device pwrite 0x2000000001008 8", _rig.Log);
    }

    [Fact]
    public void Region_info_reports_flags_and_size_as_the_kernel_gave_them()
    {
        var config = _device.GetRegionInfo(VfioPciRegion.Config);

        Assert.Equal(new VfioRegionInfo(7, VfioRegionFlags.Read | VfioRegionFlags.Write, 0x1000, 0x0007_0000_0000_0000), config);
    }

    [Fact]
    public void An_index_the_driver_does_not_serve_is_an_invalid_argument_naming_the_index()
    {
        var e = Assert.Throws<VfioInvalidArgumentException>(() => _device.GetRegionInfo(VfioPciRegion.Rom));

        Assert.Contains("VFIO_DEVICE_GET_REGION_INFO", e.Message, StringComparison.Ordinal);
        Assert.Contains("region index 6", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Irq_info_for_msi_reports_one_vector()
    {
        Assert.Equal(new VfioIrqInfo(1, VfioIrqInfoFlags.Eventfd | VfioIrqInfoFlags.NoResize, 1), _device.GetIrqInfo(VfioIrqIndex.Msi));
    }

    [Fact]
    public void A_write_is_exactly_one_pwrite_of_the_whole_buffer_and_a_read_one_pread()
    {
        var config = _device.GetRegionInfo(VfioPciRegion.Config).Offset;
        var data = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        _rig.Log.Clear();

        Assert.Equal(256, _device.Write(config + 0x100, data));
        var back = new byte[256];
        Assert.Equal(256, _device.Read(config + 0x100, back));

        Assert.Equal(["device pwrite 0x7000000000100 256", "device pread 0x7000000000100 256"], _rig.Log);
        Assert.Equal(data, back);
    }

    [Fact]
    public void A_short_read_is_an_io_error_naming_the_offset()
    {
        _rig.Device.ShortBy = 4;

        var e = Assert.Throws<VfioIoException>(() => _device.Read(0x0002_0000_0000_0010, new byte[8]));

        Assert.Contains("short read at offset 0x2000000000010: 4 of 8 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_kernel_error_on_write_is_typed_and_names_the_offset_and_length()
    {
        var e = Assert.Throws<VfioInvalidArgumentException>(() => _device.Write(0x0003_0000_0000_0000, new byte[8]));

        Assert.Contains($"pwrite {VfioRig.Bdf} failed: EINVAL (8 bytes at offset 0x3000000000000)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Enabling_msi_sends_eventfd_trigger_for_one_vector_in_a_24_byte_irq_set()
    {
        using var source = _device.EnableMsi();

        var set = _rig.Device.IrqSets.Single();
        Assert.Equal(24, set.Length);
        Assert.Equal([24u, 0x24u, 1u, 0u, 1u], Enumerable.Range(0, 5).Select(i => BitConverter.ToUInt32(set, i * 4)));
        Assert.Equal(_rig.Device.MsiEventfd, BitConverter.ToInt32(set, 20));
    }

    [Fact]
    public async Task An_msi_raised_on_the_registered_eventfd_wakes_the_interrupt_source()
    {
        var source = _device.EnableMsi();
        var waiter = Task.Run(() => source.Wait(TimeSpan.FromSeconds(10)));
        await Task.Delay(50);

        _rig.Device.RaiseMsi();

        Assert.Equal(1, await waiter.WaitAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void Disabling_msi_sends_data_none_trigger_with_count_zero_in_a_20_byte_irq_set()
    {
        _device.EnableMsi();

        _device.DisableMsi();

        var set = _rig.Device.IrqSets[1];
        Assert.Equal(20, set.Length);
        Assert.Equal([20u, 0x21u, 1u, 0u, 0u], Enumerable.Range(0, 5).Select(i => BitConverter.ToUInt32(set, i * 4)));
        Assert.Null(_rig.Device.MsiEventfd);
    }

    [Fact]
    public void Enabling_msi_twice_is_refused()
    {
        _device.EnableMsi();

        Assert.Throws<InvalidOperationException>(() => _device.EnableMsi());
    }

    [Fact]
    public void A_failed_msi_enable_closes_the_eventfd_and_leaves_msi_off()
    {
        _rig.Device.FailNext[Interop.VfioIoctl.VFIO_DEVICE_SET_IRQS] = Errno.EINVAL;

        Assert.Throws<VfioInvalidArgumentException>(() => _device.EnableMsi());

        using var second = _device.EnableMsi();
        Assert.NotNull(_rig.Device.MsiEventfd);
    }

    [Fact]
    public void Reset_issues_vfio_device_reset_when_the_device_reports_reset_support()
    {
        _device.Reset();

        Assert.Equal(1, _rig.Device.Resets);
    }

    [Fact]
    public void Reset_without_the_reset_flag_is_not_supported_and_never_reaches_the_kernel()
    {
        using var rig = new VfioRig();
        rig.Device.InfoAnswer = VfioDeviceInfoCodec.Encode(IsmDeviceInfoSamples.Decoded() with { Flags = VfioDeviceFlags.Pci | VfioDeviceFlags.Caps });
        using var device = rig.Open(VfioOpenMode.Cdev);

        var e = Assert.Throws<VfioNotSupportedException>(device.Reset);

        Assert.Contains("VFIO_DEVICE_FLAGS_RESET", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, rig.Device.Resets);
    }

    [Fact]
    public void Without_a_zpci_base_capability_dma_uses_the_iommu_ranges()
    {
        using var rig = new VfioRig();
        rig.Device.InfoAnswer = VfioDeviceInfoCodec.Encode(new VfioDeviceInfo(VfioDeviceFlags.Pci, 9, 5, null, null, null, null));
        using var device = rig.Open(VfioOpenMode.Cdev);

        Assert.Equal(rig.Iommufd.Ranges, device.DmaRanges);
        using var buffer = device.AllocateDma(4096);
        Assert.Equal(0x1000UL, buffer.Iova);
    }
}
