using Xunit;

namespace IsmFabric.Vfio.Tests;

public sealed class PnetIdTests
{
    [Fact]
    public void Ebcdic_pnetids_are_decoded_per_port_with_blanks_and_nuls_trimmed()
    {
        // "NET1" in EBCDIC 037, blank padded; port 1 "A.B-9" NUL padded; port 2 all blanks; port 3 all NULs.
        var util = new byte[64];
        util.AsSpan(0, 16).Fill(0x40);
        new byte[] { 0xD5, 0xC5, 0xE3, 0xF1 }.CopyTo(util, 0);
        new byte[] { 0xC1, 0x4B, 0xC2, 0x60, 0xF9 }.CopyTo(util, 16);
        util.AsSpan(32, 16).Fill(0x40);

        Assert.Equal(["NET1", "A.B-9", "", ""], PnetId.Decode(util));
    }

    [Fact]
    public void Inner_blanks_are_kept()
    {
        var util = PnetId.Encode(["A B"]);

        Assert.Equal("A B", PnetId.Decode(util)[0]);
    }

    [Fact]
    public void Lowercase_letters_and_digits_survive_a_round_trip()
    {
        string[] ids = ["abcxyz0189", "ABCXYZ", "P_1#@$", "0123456789ABCDEF"];

        Assert.Equal(ids, PnetId.Decode(PnetId.Encode(ids)));
    }

    [Fact]
    public void A_pnetid_longer_than_16_characters_cannot_be_encoded()
    {
        Assert.Throws<ArgumentException>(() => PnetId.Encode(["0123456789ABCDEFG"]));
    }
}
