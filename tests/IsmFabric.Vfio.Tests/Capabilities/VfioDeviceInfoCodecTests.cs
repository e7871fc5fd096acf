using Xunit;

namespace IsmFabric.Vfio.Tests;

public sealed class VfioDeviceInfoCodecTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void An_ism_answer_decodes_base_group_util_and_pfip_in_either_byte_order(bool bigEndian)
    {
        var info = VfioDeviceInfoCodec.Decode(IsmDeviceInfoSamples.Full(bigEndian).Bytes, bigEndian);

        AssertSameInfo(IsmDeviceInfoSamples.Decoded(), info);
        Assert.Equal("NETA", PnetId.Decode(info.ZpciUtil!.UtilString)[0]);
        Assert.True(info.SupportsReset);
    }

    [Fact]
    public void A_big_endian_answer_read_as_little_endian_gives_different_numbers()
    {
        // Guards against a decoder that ignores the byte order it is told.
        var info = VfioDeviceInfoCodec.Decode(IsmDeviceInfoSamples.Full(bigEndian: true).Bytes.AsSpan(0, 20), bigEndian: false);

        Assert.Equal(0x0900_0000u, info.NumRegions);
    }

    [Fact]
    public void Base_version_1_decodes_without_a_function_handle()
    {
        var b = new RawBuffer(56, bigEndian: true).U32(0, 56).U32(4, 0x82).U32(8, 9).U32(12, 5).U32(16, 24)
            .CapHeader(24, 1, 1, 0).U64(32, 0x1000).U64(40, 0xffff).U16(48, 0x0042).U16(50, 2).U16(52, 0).U8(54, 5).U8(55, 1);

        var zpci = VfioDeviceInfoCodec.Decode(b.Bytes, bigEndian: true).ZpciBase!;

        Assert.Equal(new ZpciBaseCapability(1, 0x1000, 0xffff, 0x42, 2, 0, 5, 1, 0), zpci);
    }

    [Fact]
    public void Group_version_1_decodes_without_imaxstbl()
    {
        var b = new RawBuffer(64, bigEndian: true).U32(0, 64).U32(4, 0x82).U32(8, 9).U32(12, 5).U32(16, 24)
            .CapHeader(24, 2, 1, 0).U64(32, 1).U64(40, 2).U64(48, 0).U16(56, 3).U16(58, 4).U16(60, 128).U8(62, 7);

        var group = VfioDeviceInfoCodec.Decode(b.Bytes, bigEndian: true).ZpciGroup!;

        Assert.Equal(new ZpciGroupCapability(1, 1, 2, 0, 3, 4, 128, 7, 0), group);
    }

    [Fact]
    public void Group_version_2_exposes_imaxstbl_the_ism_write_limit()
    {
        var group = VfioDeviceInfoCodec.Decode(IsmDeviceInfoSamples.Full(bigEndian: true).Bytes, bigEndian: true).ZpciGroup!;

        Assert.Equal(128, group.Maxstbl);
        Assert.Equal(4096, group.Imaxstbl);
    }

    [Fact]
    public void Unknown_capabilities_are_skipped()
    {
        // BASE v1 @24 -> PCI_ATOMIC_COMP (5) @56 -> an id no kernel defines @72 -> PFIP @88.
        var b = new RawBuffer(104, bigEndian: false).U32(0, 104).U32(4, 0x82).U32(8, 9).U32(12, 5).U32(16, 24)
            .CapHeader(24, 1, 1, 56).U64(32, 0x1000).U64(40, 0x1fff)
            .CapHeader(56, 5, 1, 72).U32(64, 7)
            .CapHeader(72, 0x7777, 9, 88).U64(80, ulong.MaxValue)
            .CapHeader(88, 4, 1, 0).U32(96, 2).U8(100, 0xAA).U8(101, 0xBB);

        var info = VfioDeviceInfoCodec.Decode(b.Bytes, bigEndian: false);

        Assert.Equal(0x1fffUL, info.ZpciBase!.EndDma);
        Assert.Equal([0xAA, 0xBB], info.ZpciPfip!.Pfip);
        Assert.Null(info.ZpciGroup);
        Assert.Null(info.ZpciUtil);
    }

    [Theory]
    [InlineData(24u)]
    [InlineData(64u)]
    public void A_chain_that_loops_back_is_reported_as_a_cycle(uint loopTarget)
    {
        var b = IsmDeviceInfoSamples.Full(bigEndian: true).CapHeader(192, 4, 1, loopTarget);

        var e = Assert.Throws<VfioFormatException>(() => VfioDeviceInfoCodec.Decode(b.Bytes, bigEndian: true));

        Assert.Contains($"loops back to offset {loopTarget}", e.Message, StringComparison.Ordinal);
        Assert.Equal(Errno.EPROTO, e.Errno);
    }

    [Fact]
    public void A_truncated_base_capability_names_the_capability_and_the_shortfall()
    {
        var b = IsmDeviceInfoSamples.Full(bigEndian: true);

        var e = Assert.Throws<VfioFormatException>(() => VfioDeviceInfoCodec.Decode(b.Bytes.AsSpan(0, 50), bigEndian: true));

        Assert.Equal("VFIO_DEVICE_INFO_CAP_ZPCI_BASE v2", e.What);
        Assert.Contains("at offset 24 needs 36 bytes, but only 26 remain", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_util_capability_whose_string_runs_past_the_buffer_names_the_capability()
    {
        var b = IsmDeviceInfoSamples.Full(bigEndian: true);

        var e = Assert.Throws<VfioFormatException>(() => VfioDeviceInfoCodec.Decode(b.Bytes.AsSpan(0, 150), bigEndian: true));

        Assert.Equal("VFIO_DEVICE_INFO_CAP_ZPCI_UTIL v1", e.What);
        Assert.Contains("declares 64 data bytes, but only 26 remain", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_capability_header_past_the_end_of_the_buffer_is_reported()
    {
        var b = IsmDeviceInfoSamples.Full(bigEndian: true).CapHeader(192, 4, 1, 4000);

        var e = Assert.Throws<VfioFormatException>(() => VfioDeviceInfoCodec.Decode(b.Bytes, bigEndian: true));

        Assert.Contains("capability header at offset 4000 runs past the end of the 208-byte buffer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_capability_inside_the_info_header_is_reported()
    {
        var b = IsmDeviceInfoSamples.Full(bigEndian: true).U32(16, 8);

        var e = Assert.Throws<VfioFormatException>(() => VfioDeviceInfoCodec.Decode(b.Bytes, bigEndian: true));

        Assert.Contains("capability at offset 8 overlaps the 20-byte info header", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_the_caps_flag_cap_offset_is_not_followed()
    {
        var b = IsmDeviceInfoSamples.Full(bigEndian: true).U32(4, 0x03);

        var info = VfioDeviceInfoCodec.Decode(b.Bytes, bigEndian: true);

        Assert.Null(info.ZpciBase);
        Assert.Equal(VfioDeviceFlags.Reset | VfioDeviceFlags.Pci, info.Flags);
    }

    [Fact]
    public void An_answer_shorter_than_the_kernel_minimum_is_rejected()
    {
        var e = Assert.Throws<VfioFormatException>(() => VfioDeviceInfoCodec.Decode(new byte[12], bigEndian: false));

        Assert.Contains("the answer is 12 bytes, expected at least 16", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Encoding_produces_the_layout_the_kernel_returns(bool bigEndian)
    {
        var encoded = VfioDeviceInfoCodec.Encode(IsmDeviceInfoSamples.Decoded(), bigEndian);

        Assert.Equal(IsmDeviceInfoSamples.Full(bigEndian).Bytes, encoded);
    }

    [Theory]
    [InlineData(true, 1)]
    [InlineData(true, 2)]
    [InlineData(false, 1)]
    [InlineData(false, 2)]
    public void Encode_then_decode_round_trips(bool bigEndian, ushort version)
    {
        var original = new VfioDeviceInfo(
            VfioDeviceFlags.Pci | VfioDeviceFlags.Caps,
            10,
            5,
            new ZpciBaseCapability(version, 0x8000_0000, 0xffff_ffff, 0x1234, 3, 0x40, 5, 2, version >= 2 ? 0xabcdu : 0),
            new ZpciGroupCapability(version, 1, 2, 1, 4, 5, 128, 3, version >= 2 ? (ushort)2048 : (ushort)0),
            new ZpciUtilCapability(1, PnetId.Encode(["X"])),
            null);

        var decoded = VfioDeviceInfoCodec.Decode(VfioDeviceInfoCodec.Encode(original, bigEndian), bigEndian);

        AssertSameInfo(original, decoded);
    }

    [Fact]
    public void An_info_without_capabilities_encodes_to_the_bare_24_byte_struct()
    {
        var bytes = VfioDeviceInfoCodec.Encode(new VfioDeviceInfo(VfioDeviceFlags.Pci, 9, 5, null, null, null, null), bigEndian: false);

        Assert.Equal(24, bytes.Length);
        Assert.Equal(new VfioDeviceInfo(VfioDeviceFlags.Pci, 9, 5, null, null, null, null), VfioDeviceInfoCodec.Decode(bytes, bigEndian: false));
    }

    private static void AssertSameInfo(VfioDeviceInfo expected, VfioDeviceInfo actual)
    {
        Assert.Equal(expected with { ZpciUtil = null, ZpciPfip = null }, actual with { ZpciUtil = null, ZpciPfip = null });
        Assert.Equal(expected.ZpciUtil?.Version, actual.ZpciUtil?.Version);
        Assert.Equal(expected.ZpciUtil?.UtilString, actual.ZpciUtil?.UtilString);
        Assert.Equal(expected.ZpciPfip?.Version, actual.ZpciPfip?.Version);
        Assert.Equal(expected.ZpciPfip?.Pfip, actual.ZpciPfip?.Pfip);
    }
}
