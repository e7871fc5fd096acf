using System.Text.Json;
using IsmFabric.Emulation;

namespace IsmFabric.EndToEnd.Tests;

/// <summary>Two LPAR processes on one emulated CEC: a verified bulk transfer, then one of them killed with SIGKILL.</summary>
public sealed class TwoLparProcessTests : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ismfabric-e2e-" + Guid.NewGuid().ToString("n")[..10]);

    [Fact]
    public void A_sender_streams_256MiB_into_a_dmb_chunk_by_chunk_every_byte_checked_and_its_SIGKILL_is_reclaimed_with_firmware_events()
    {
        var (exit, _, err) = Ismfabric.Run("cec", "create", "--dir", _dir, "--lpars", "2", "--functions-per-lpar", "1", "--chids", "0x0100", "--pnetids", "NETA", "--memory-mib", "16");
        Assert.True(exit == 0, err);
        const long bytes = 256L << 20;
        const string seed = "20261121";

        using var a = new AgentProcess("agent", "stream-receiver", "--cec", _dir, "--lpar", "lpar1", "--seed", seed, "--bytes", $"{bytes}", "--chunk", $"{1 << 20}");
        using var b = new AgentProcess("agent", "stream-sender", "--cec", _dir, "--lpar", "lpar2", "--seed", seed, "--bytes", $"{bytes}", "--chunk", $"{1 << 20}");
        var gidA = a.Expect("GID", Step);
        var gidB = b.Expect("GID", Step);
        a.Send($"PEER {gidB}");
        b.Send($"PEER {gidA}");
        var tokenA = a.Expect("TOKEN", Step);
        var tokenB = b.Expect("TOKEN", Step);
        a.Send($"PEERTOKEN {tokenB}");
        b.Send($"PEERTOKEN {tokenA}");

        Assert.Equal($"{bytes}", b.Expect("SENT", TimeSpan.FromMinutes(3)));
        Assert.Equal($"{bytes}", a.Expect("VERIFIED", Step));

        var before = Ismfabric.Json("cec", "show", "--dir", _dir, "--json");
        Assert.Contains(Dmbs(before), d => d.Lpar == "lpar2");
        Assert.Contains(Dmbs(before), d => d.Token == Convert.ToUInt64(tokenB, 16));
        var dmbB = before.GetProperty("dmbs").EnumerateArray().Single(d => d.GetProperty("owner_lpar").GetString() == "lpar2");
        Assert.Equal(Convert.ToUInt64(gidB[2..], 16), Hex(dmbB.GetProperty("owner_gid")));
        Assert.Equal(Convert.ToUInt64(gidA[2..], 16), Hex(dmbB.GetProperty("rgid")));

        b.Process.Kill(); // SIGKILL on Linux: no chance to clean up
        b.Process.WaitForExit();

        // A's watchdog notices the dead LPAR; A's driver drains what firmware raises.
        var gidBHex = $"0x{Convert.ToUInt64(gidB[2..], 16):x16}";
        a.Expect($"EVENT Device 0x07 {gidBHex}", TimeSpan.FromSeconds(10));
        Assert.Contains(a.Seen, l => l.StartsWith($"EVENT Buffer 0x04 0x{Convert.ToUInt64(tokenB, 16):x16}", StringComparison.Ordinal));
        Assert.Contains(a.Seen, l => l.StartsWith($"EVENT Buffer 0x08 0x{Convert.ToUInt64(tokenA, 16):x16}", StringComparison.Ordinal));

        var after = Ismfabric.Json("cec", "show", "--dir", _dir, "--json");
        Assert.DoesNotContain(Dmbs(after), d => d.Lpar == "lpar2");
        Assert.Contains(Dmbs(after), d => d.Lpar == "lpar1");
        Assert.False(after.GetProperty("lpars").EnumerateArray().Single(l => l.GetProperty("name").GetString() == "lpar2").GetProperty("attached").GetBoolean());

        // The killed LPAR can be attached again at once: nothing it left needs a human.
        using (var again = EmulatedLpar.Attach(_dir, "lpar2"))
        {
            using var f = again.OpenFunction(again.Functions[0].Fid);
        }

        a.Send("QUIT");
        Assert.True(a.Process.WaitForExit(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, a.Process.ExitCode);
        var end = Ismfabric.Json("cec", "show", "--dir", _dir, "--json");
        Assert.Empty(Dmbs(end));
        Assert.All(end.GetProperty("lpars").EnumerateArray(), l => Assert.False(l.GetProperty("attached").GetBoolean()));
    }

    private static List<(string Lpar, ulong Token)> Dmbs(JsonElement snapshot) =>
        snapshot.GetProperty("dmbs").EnumerateArray()
            .Select(d => (d.GetProperty("owner_lpar").GetString()!, Hex(d.GetProperty("token"))))
            .ToList();

    /// <summary>A 64-bit identifier of the JSON output: a "0x" string, which no JSON reader rounds.</summary>
    private static ulong Hex(JsonElement value)
    {
        Assert.Equal(JsonValueKind.String, value.ValueKind);
        var text = value.GetString()!;
        Assert.Matches("^0x[0-9a-f]{16}$", text);
        return Convert.ToUInt64(text[2..], 16);
    }

    public void Dispose()
    {
        // Whatever the processes did, nothing unmapped DMA memory a device still held (the emulated IOMMU counts it).
        IReadOnlyList<string> iommuFaults = [];
        if (EmulatedCec.Exists(_dir))
        {
            using var cec = EmulatedCec.Open(_dir);
            iommuFaults = cec.IommuFaultReport();
        }

        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
        }

        Assert.True(iommuFaults.Count == 0, "unmapped while a device held it: " + string.Join("; ", iommuFaults));
    }
}
