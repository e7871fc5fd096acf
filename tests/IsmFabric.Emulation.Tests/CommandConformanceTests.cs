using System.Buffers.Binary;
using IsmFabric.Vfio;

namespace IsmFabric.Emulation.Tests;

/// <summary>Every command of spec §2.3 with its layout, return codes and side effects, spoken by hand.</summary>
public sealed class CommandConformanceTests : IDisposable
{
    private readonly CecFixture _cec = new();
    private readonly EmulatedLpar _lpar1;
    private readonly EmulatedLpar _lpar2;
    private readonly EmulatedLpar _lpar3;
    private readonly RawIsm _a;
    private readonly RawIsm _b;

    public CommandConformanceTests()
    {
        _lpar1 = _cec.Cec.AttachLpar("lpar1");
        _lpar2 = _cec.Cec.AttachLpar("lpar2");
        _lpar3 = _cec.Cec.AttachLpar("lpar3");
        _a = new RawIsm(_lpar1.OpenFunction(_cec.Function("lpar1").Fid)).BringUp();
        _b = new RawIsm(_lpar2.OpenFunction(_cec.Function("lpar2").Fid)).BringUp();
    }

    [Fact]
    public void Read_gid_answers_16_bytes_with_the_gid_big_endian()
    {
        var (ret, resp) = _a.Command(0x03, []);
        Assert.Equal(0, ret);
        Assert.Equal(16, resp.Length);
        Assert.Equal(0x03u, BinaryPrimitives.ReadUInt32BigEndian(resp));
        Assert.Equal(_a.Gid, BinaryPrimitives.ReadUInt64BigEndian(resp.AsSpan(8)));
    }

    [Fact]
    public void Query_info_answers_200_bytes_with_gid_sba_ieq_and_counts()
    {
        var (ret, resp) = _a.Command(0x08, []);
        Assert.Equal(0, ret);
        Assert.Equal(200, resp.Length);
        Assert.Equal(_a.Gid, BinaryPrimitives.ReadUInt64BigEndian(resp.AsSpan(24)));
        Assert.Equal(_a.Sba!.Iova, BinaryPrimitives.ReadUInt64BigEndian(resp.AsSpan(32)));
        Assert.Equal(_a.Ieq!.Iova, BinaryPrimitives.ReadUInt64BigEndian(resp.AsSpan(40)));
        Assert.Equal(512u, BinaryPrimitives.ReadUInt32BigEndian(resp.AsSpan(48)));
    }

    [Fact]
    public void Reg_sba_twice_unreg_sba_twice_and_reg_ieq_header_follow_the_spec()
    {
        Assert.Equal(EmulatedReturnCode.AlreadyRegistered, _a.Command(0x01, RawIsm.Body(_a.Sba!.Iova)).Ret);
        Assert.Equal(512UL, BinaryPrimitives.ReadUInt64BigEndian(_a.Ieq!.Span[8..]));
        Assert.Equal(32UL, BinaryPrimitives.ReadUInt64BigEndian(_a.Ieq.Span[16..]));
        Assert.Equal(0UL, _a.IeqIndex);
        Assert.Equal(0, _a.Command(0x12, []).Ret);
        Assert.Equal(0, _a.Command(0x11, []).Ret);
        Assert.Equal(EmulatedReturnCode.NotRegistered, _a.Command(0x11, []).Ret);
        Assert.Equal(EmulatedReturnCode.BadAddress, _a.Command(0x01, RawIsm.Body(0x1234)).Ret);
    }

    [Fact]
    public void Unknown_commands_and_wrong_request_lengths_answer_a_nonzero_ret_with_an_8_byte_response()
    {
        var (ret, resp) = _a.Command(0x0C, []);
        Assert.Equal(EmulatedReturnCode.UnknownCommand, ret);
        Assert.Equal(8, resp.Length);
        Assert.Equal(EmulatedReturnCode.BadRequestLength, _a.Command(0x03, [], lengthOverride: 16).Ret);
    }

    [Fact]
    public void Tokens_have_bits_0_to_31_clear_fit_below_bit_48_and_are_unique_in_the_cec()
    {
        var c = new RawIsm(_lpar3.OpenFunction(_cec.Function("lpar3").Fid)).BringUp();
        var tokens = new HashSet<ulong>();
        for (uint i = 0; i < 20; i++)
        {
            foreach (var f in new[] { _a, _b, c })
            {
                var (ret, token, _) = f.RegisterDmb(4096, 32 + i, _a.Gid);
                Assert.Equal(0, ret);
                Assert.Equal(0UL, token & 0xFFFF_FFFF);
                Assert.True(token < 1UL << 48);
                Assert.True(tokens.Add(token), $"token 0x{token:x} handed out twice");
            }
        }

        c.Dispose();
    }

    [Theory]
    [InlineData(31u)]
    [InlineData(0u)]
    [InlineData(1920u)]
    [InlineData(5000u)]
    public void Reg_dmb_refuses_an_sba_index_outside_32_to_1919(uint slot)
    {
        Assert.Equal(EmulatedReturnCode.BadSbaIndex, _a.RegisterDmb(4096, slot, _b.Gid).Ret);
    }

    [Fact]
    public void Reg_dmb_refuses_a_slot_in_use_a_dmb_over_1MiB_and_an_iova_outside_the_window()
    {
        Assert.Equal(0, _a.RegisterDmb(4096, 100, _b.Gid).Ret);
        Assert.Equal(EmulatedReturnCode.BadSbaIndex, _a.RegisterDmb(4096, 100, _b.Gid).Ret);
        var big = _a.Device.AllocateDma(1 << 20);
        Assert.Equal(EmulatedReturnCode.BadDmbLength, _a.Command(0x0A, RawIsm.RegDmbBody(big.Iova, (1 << 20) + 1, 101, _b.Gid)).Ret);
        Assert.Equal(EmulatedReturnCode.BadAddress, _a.Command(0x0A, RawIsm.RegDmbBody(0x4000, 4096, 101, _b.Gid)).Ret);
    }

    [Fact]
    public void Reg_dmb_refuses_a_dmb_that_would_cross_a_1MiB_boundary()
    {
        var first = _a.Device.AllocateDma(1 << 20);
        var second = _a.Device.AllocateDma(1 << 20);
        Assert.Equal(first.Iova + (1UL << 20), second.Iova); // two adjacent MiBs, both mapped for the function

        // Half a MiB into the first and one MiB long: all of it mapped, but it crosses into the second MiB.
        Assert.Equal(EmulatedReturnCode.BadAddress, _a.Command(0x0A, RawIsm.RegDmbBody(first.Iova + (1UL << 19), 1 << 20, 40, _b.Gid)).Ret);
        Assert.Equal(0, _a.Command(0x0A, RawIsm.RegDmbBody(first.Iova + (1UL << 19), 1 << 19, 41, _b.Gid)).Ret); // up to the boundary
    }

    [Fact]
    public void DMB_1889_is_refused()
    {
        // Each DMB on memory of its own, mapped for the function, as a driver registers them.
        for (uint slot = 32; slot < 1920; slot++)
        {
            Assert.Equal(0, _a.RegisterDmb(4096, slot, _b.Gid).Ret);
        }

        var info = _a.Command(0x08, []).Response;
        Assert.Equal(1888u, BinaryPrimitives.ReadUInt32BigEndian(info.AsSpan(60)));

        // Every slot is taken, so the 1889th DMB is refused for the limit whatever slot it names.
        Assert.Equal(EmulatedReturnCode.DmbLimit, _a.RegisterDmb(4096, 1000, _b.Gid).Ret);
    }

    [Fact]
    public void Unreg_dmb_of_an_unknown_or_foreign_token_answers_not_registered()
    {
        var (_, token, _) = _a.RegisterDmb(4096, 40, _b.Gid);
        Assert.Equal(EmulatedReturnCode.NotRegistered, _b.Command(0x0B, RawIsm.Body(token)).Ret);
        Assert.Equal(EmulatedReturnCode.NotRegistered, _a.Command(0x0B, RawIsm.Body(token | 1)).Ret);
        Assert.Equal(0, _a.Command(0x0B, RawIsm.Body(token)).Ret);
        Assert.Equal(EmulatedReturnCode.NotRegistered, _a.Command(0x0B, RawIsm.Body(token)).Ret);
    }

    [Fact]
    public void A_move_into_a_dmb_registered_for_another_gid_is_refused()
    {
        var c = new RawIsm(_lpar3.OpenFunction(_cec.Function("lpar3").Fid)).BringUp();
        var (_, token, buffer) = _a.RegisterDmb(4096, 40, _b.Gid);
        var e = Assert.Throws<VfioIoException>(() => c.Device.Write((long)token, new byte[] { 1, 2, 3 }));
        Assert.Contains("accepts writes only from GID", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, buffer.Span[0]);
        c.Dispose();
    }

    [Fact]
    public void A_move_to_an_unregistered_token_is_refused()
    {
        var (_, token, _) = _a.RegisterDmb(4096, 40, _b.Gid);
        Assert.Equal(0, _a.Command(0x0B, RawIsm.Body(token)).Ret);
        Assert.Throws<VfioIoException>(() => _b.Device.Write((long)token, new byte[8]));
        Assert.Throws<VfioIoException>(() => _b.Device.Write(0x7777L << 32, new byte[8]));
    }

    [Fact]
    public void A_move_beyond_the_end_of_the_dmb_is_refused()
    {
        var (_, token, _) = _a.RegisterDmb(6000, 40, _b.Gid);
        _b.Device.Write((long)token | 5996, new byte[4]);
        var e = Assert.Throws<VfioIoException>(() => _b.Device.Write((long)token | 5998, new byte[4]));
        Assert.Contains("beyond the DMB", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Functions_on_different_chids_cannot_reach_each_other()
    {
        var otherChid = new RawIsm(_lpar2.OpenFunction(_cec.Function("lpar2", 1).Fid)).BringUp();
        Assert.Equal(0, _a.Command(0x09, new byte[16].Prepend8(_b.Gid)).Ret);
        Assert.Equal(EmulatedReturnCode.GidUnreachable, _a.Command(0x09, new byte[16].Prepend8(otherChid.Gid)).Ret);
        Assert.Equal(EmulatedReturnCode.GidUnreachable, _a.Command(0x0E, RawIsm.SignalBody(otherChid.Gid, 0x90, 1)).Ret);
        var (_, token, _) = _a.RegisterDmb(4096, 40, otherChid.Gid);
        Assert.Throws<VfioIoException>(() => otherChid.Device.Write((long)token, new byte[8]));
        otherChid.Dispose();
    }

    [Fact]
    public void A_signalling_move_sets_the_dmb_bit_msb_first_the_dmbe_mask_and_the_summary_bit_then_interrupts()
    {
        var (_, token, buffer) = _a.RegisterDmb(4096, 45, _b.Gid);
        _a.Msi!.TryConsume();
        _b.Device.Write((long)(token | (3UL << 24) | (1UL << 23) | 16), new byte[] { 0xAB });
        var sba = _a.Sba!.Span;
        Assert.Equal(0x80, sba[0] & 0x80);                        // s
        Assert.Equal(0x80 >> (45 % 8), sba[4 + (45 / 8)]);         // slot 45: byte 9, mask 0x04
        Assert.Equal(0x8000 >> 3, BinaryPrimitives.ReadUInt16BigEndian(sba[(256 + (45 * 2))..])); // DMBE index 3
        Assert.Equal(0xAB, buffer.Span[16]);
        Assert.Equal(1, _a.Msi.Wait(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public void A_move_without_the_signal_flag_sets_no_bit_and_raises_no_interrupt()
    {
        var (_, token, _) = _a.RegisterDmb(4096, 45, _b.Gid);
        _a.Msi!.TryConsume();
        _b.Device.Write((long)token, new byte[64]);
        Assert.Equal(0, _a.Sba!.Span[4 + (45 / 8)]);
        Assert.Equal(0, _a.Msi.TryConsume());
    }

    [Fact]
    public void The_ieq_wraps_after_15_entries_with_the_index_running_1_to_15_and_never_back_to_0()
    {
        var seen = new List<ulong>();
        for (ulong i = 1; i <= 17; i++)
        {
            Assert.Equal(0, _b.Command(0x0E, RawIsm.SignalBody(_a.Gid, 0x90, i)).Ret);
            seen.Add(_a.IeqIndex);
        }

        Assert.Equal(new ulong[] { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 1, 2 }, seen);

        // Entries 16 and 17 overwrote slots 0 and 1; slot 14 still holds the 15th.
        Assert.Equal((2u, 0x90u, _b.Gid, 16UL), _a.IeqEntry(0));
        Assert.Equal((2u, 0x90u, _b.Gid, 17UL), _a.IeqEntry(1));
        Assert.Equal((2u, 0x90u, _b.Gid, 15UL), _a.IeqEntry(14));
        Assert.Equal(0xC0, _a.Sba!.Span[0] & 0xC0); // s and e
    }

    [Fact]
    public void Vlan_membership_is_enforced_on_tagged_dmbs_and_on_query_rgid()
    {
        Assert.Equal(0, _a.Command(0x04, RawIsm.Body(42)).Ret);
        Assert.Equal(EmulatedReturnCode.VlanError, _a.Command(0x04, RawIsm.Body(42)).Ret);
        Assert.Equal(0, _a.Command(0x04, RawIsm.Body(0x1FFF)).Ret); // ISMv2 probe succeeds
        var buffer = _a.Device.AllocateDma(4096);
        var (ret, resp) = _a.Command(0x0A, RawIsm.RegDmbBody(buffer.Iova, 4096, 50, _b.Gid, 1, 42));
        Assert.Equal(0, ret);
        var token = BinaryPrimitives.ReadUInt64BigEndian(resp.AsSpan(8));
        Assert.Throws<VfioIoException>(() => _b.Device.Write((long)token, new byte[8]));
        Assert.Equal(0, _b.Command(0x04, RawIsm.Body(42)).Ret);
        _b.Device.Write((long)token, new byte[8]);
        Assert.Equal(EmulatedReturnCode.VlanError, _a.Command(0x05, RawIsm.Body(7)).Ret);
        Assert.Equal(0, _a.Command(0x05, RawIsm.Body(42)).Ret);

        var query = new byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(query, _b.Gid);
        BinaryPrimitives.WriteUInt32BigEndian(query.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt32BigEndian(query.AsSpan(12), 0x1FFF);
        Assert.Equal(EmulatedReturnCode.GidUnreachable, _a.Command(0x09, query).Ret);
        Assert.Equal(0, _b.Command(0x04, RawIsm.Body(0x1FFF)).Ret);
        Assert.Equal(0, _a.Command(0x09, query).Ret);
    }

    public void Dispose()
    {
        _a.Dispose();
        _b.Dispose();
        _lpar1.Dispose();
        _lpar2.Dispose();
        _lpar3.Dispose();
        _cec.Dispose();
    }
}

internal static class ByteArrayExtensions
{
    /// <summary>A QUERY_RGID body: rgid, vlan_valid 0, vlan 0.</summary>
    internal static byte[] Prepend8(this byte[] body, ulong gid)
    {
        BinaryPrimitives.WriteUInt64BigEndian(body, gid);
        return body;
    }
}
