using IsmFabric.Vfio;

namespace IsmFabric.Emulation.Tests;

/// <summary>The ism_vfio_pci region rules of spec §5, on the emulated function.</summary>
public sealed class RegionRulesTests : IDisposable
{
    private readonly TwoFunctions _pair = new();

    [Theory]
    [InlineData(0u, 1UL << 48)]
    [InlineData(2u, 4096UL)]
    [InlineData(7u, 4096UL)]
    public void Region_offsets_are_the_index_shifted_by_48_and_regions_are_read_write_without_mmap(uint index, ulong size)
    {
        var info = _pair.A.Device.GetRegionInfo(index);
        Assert.Equal((long)index << 48, info.Offset);
        Assert.Equal(size, info.Size);
        Assert.Equal(VfioRegionFlags.Read | VfioRegionFlags.Write, info.Flags);
    }

    [Theory]
    [InlineData(1u)]
    [InlineData(3u)]
    [InlineData(5u)]
    public void Absent_bars_report_size_zero_and_no_flags(uint index)
    {
        var info = _pair.A.Device.GetRegionInfo(index);
        Assert.False(info.IsPresent);
        Assert.Equal(VfioRegionFlags.None, info.Flags);
        Assert.Throws<VfioInvalidArgumentException>(() => _pair.A.Device.Write(info.Offset, new byte[8]));
    }

    [Theory]
    [InlineData(6u)]
    [InlineData(8u)]
    [InlineData(9u)]
    [InlineData(200u)]
    public void Rom_vga_and_higher_region_indexes_are_rejected_with_EINVAL(uint index)
    {
        var e = Assert.Throws<VfioInvalidArgumentException>(() => _pair.A.Device.GetRegionInfo(index));
        Assert.Equal(Errno.EINVAL, e.Errno);
    }

    [Fact]
    public void Device_info_carries_the_zpci_capabilities_with_imaxstbl_4096_and_the_pnetid()
    {
        var info = _pair.A.Device.GetInfo();
        Assert.True(info.SupportsReset);
        Assert.Equal(9u, info.NumRegions);
        Assert.Equal(5u, info.NumIrqs);
        Assert.Equal(4096, info.ZpciGroup!.Imaxstbl);
        Assert.Equal(0x05, info.ZpciBase!.Pft);
        Assert.Equal(_pair.Cec.Function("lpar1").Chid, info.ZpciBase.Pchid);
        Assert.Equal(64, info.ZpciUtil!.UtilString.Length);
        Assert.Equal(new byte[] { 0xD5, 0xC5, 0xE3, 0xC1, 0x40 }, info.ZpciUtil.UtilString[..5]); // "NETA " in EBCDIC
        Assert.Equal(1u, _pair.A.Device.GetIrqInfo(VfioIrqIndex.Msi).Count);
        Assert.Equal(0u, _pair.A.Device.GetIrqInfo(VfioIrqIndex.Intx).Count);
    }

    [Fact]
    public void A_4097_byte_write_is_rejected_with_EINVAL()
    {
        var (_, token, _) = _pair.A.RegisterDmb(1 << 20, 40, _pair.B.Gid);
        var e = Assert.Throws<VfioInvalidArgumentException>(() => _pair.B.Device.Write((long)token, new byte[4097]));
        Assert.Contains("imaxstbl", e.Message, StringComparison.Ordinal);
        Assert.Throws<VfioInvalidArgumentException>(() => _pair.A.Device.Write(RawIsm.Bar2, new byte[4097]));
    }

    [Fact]
    public void A_write_crossing_a_4KiB_boundary_is_rejected_with_EINVAL()
    {
        var (_, token, buffer) = _pair.A.RegisterDmb(1 << 20, 40, _pair.B.Gid);
        var e = Assert.Throws<VfioInvalidArgumentException>(() => _pair.B.Device.Write((long)token | 4000, new byte[100]));
        Assert.Contains("4 KiB", e.Message, StringComparison.Ordinal);
        Assert.True(buffer.Span[4000..4100].ToArray().All(b => b == 0), "nothing of a rejected store may land");
    }

    [Fact]
    public void A_full_4KiB_store_on_a_page_boundary_lands_in_the_remote_dmb()
    {
        var (ret, token, buffer) = _pair.A.RegisterDmb(1 << 20, 40, _pair.B.Gid);
        Assert.Equal(0, ret);
        var data = new byte[4096];
        Random.Shared.NextBytes(data);
        Assert.Equal(4096, _pair.B.Device.Write((long)token | 8192, data));
        Assert.Equal(data, buffer.Span.Slice(8192, 4096).ToArray());
    }

    [Theory]
    [InlineData(2u, 4096L)]
    [InlineData(2u, 8192L)]
    [InlineData(7u, 4096L)]
    public void A_write_at_or_past_the_end_of_a_region_is_rejected_with_EINVAL(uint index, long at)
    {
        var e = Assert.Throws<VfioInvalidArgumentException>(() => _pair.A.Device.Write(((long)index << 48) + at, new byte[8]));
        Assert.Equal(Errno.EINVAL, e.Errno);
        Assert.Contains("beyond", e.Message, StringComparison.Ordinal);
        Assert.Throws<VfioInvalidArgumentException>(() => _pair.A.Device.Read(((long)index << 48) + at, new byte[8]));
    }

    [Fact]
    public void A_write_that_ends_exactly_at_the_end_of_the_command_area_is_taken()
    {
        Assert.Equal(8, _pair.A.Device.Write(RawIsm.Bar2 + 4088, new byte[8]));
    }

    [Fact]
    public void Zero_length_io_returns_zero_and_does_nothing()
    {
        Assert.Equal(0, _pair.A.Device.Write(RawIsm.Bar2, []));
        Assert.Equal(0, _pair.A.Device.Read(RawIsm.Bar2, []));
    }

    [Fact]
    public void Reads_of_the_command_area_are_served_at_any_alignment_and_reads_of_bar0_fail_with_EIO()
    {
        _pair.A.Command(0x03, []);
        var whole = new byte[16];
        _pair.A.Device.Read(RawIsm.Bar2, whole);
        var odd = new byte[11];
        _pair.A.Device.Read(RawIsm.Bar2 + 3, odd);
        Assert.Equal(whole[3..14], odd);
        Assert.Throws<VfioIoException>(() => _pair.A.Device.Read(RawIsm.Bar0, new byte[8]));
    }

    [Fact]
    public void Config_space_reads_little_endian_vendor_and_device_ids()
    {
        var ids = new byte[4];
        _pair.A.Device.Read(7L << 48, ids);
        Assert.Equal(0x1014, BitConverter.ToUInt16(ids, 0));
        Assert.Equal(0x04ED, BitConverter.ToUInt16(ids, 2));
    }

    public void Dispose()
    {
        _pair.Dispose();
    }
}
