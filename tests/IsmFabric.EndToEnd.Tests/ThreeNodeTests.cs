using System.Text.Json;
using IsmFabric.Emulation;

namespace IsmFabric.EndToEnd.Tests;

/// <summary>Three fabric node processes on one emulated CEC (two functions each, on two CHIDs).</summary>
public sealed class ThreeNodeTests : IDisposable
{
    private static readonly TimeSpan Step = TimeSpan.FromSeconds(60);
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ismfabric-3n-" + Guid.NewGuid().ToString("n")[..10]);
    private readonly CecDefinition _definition;
    private readonly List<AgentProcess> _nodes = [];

    public ThreeNodeTests()
    {
        _definition = CecDefinition.Build("t", 3, 2, [0x0100, 0x0200], ["NETA", "NETB"], 64L << 20, seed: 5);
        EmulatedCec.Create(_dir, _definition).Dispose();
    }

    private AgentProcess Start(string lpar)
    {
        var node = new AgentProcess("agent", "fabric-node", "--cec", _dir, "--lpar", lpar, "--log-level", "Information");
        _nodes.Add(node);
        return node;
    }

    /// <summary>Bytes each channel streams; 1 GiB unless ISMFABRIC_E2E_STREAM_MIB says otherwise.</summary>
    private static long StreamBytes => (long.TryParse(Environment.GetEnvironmentVariable("ISMFABRIC_E2E_STREAM_MIB"), out var mib) ? mib : 1024) << 20;

    [Theory]
    [InlineData(65536, 0)]
    [InlineData(512, 48)]
    [InlineData(0, 256)]
    public void Channels_between_every_pair_stream_with_matching_checksums_through_a_function_failure(int messageSize, int mebibytes)
    {
        var a = Start("lpar1");
        var b = Start("lpar2");
        var c = Start("lpar3");
        foreach (var n in _nodes)
        {
            n.Expect("READY", Step);
            n.Send("PEERS 2");
            n.Expect("PEERS ok", Step);
        }

        var bytes = mebibytes == 0 ? StreamBytes : (long)mebibytes << 20;
        a.Send($"STREAM lpar2 {bytes} {messageSize} 1");
        b.Send($"STREAM lpar3 {bytes} {messageSize} 2");
        c.Send($"STREAM lpar1 {bytes} {messageSize} 3");

        // Wait until lpar1's stream is well under way (a quarter sent), then fail lpar1's first function: the
        // channels on it must move to lpar1's other function while data flows.
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        JsonElement streaming;
        while (!ChannelsOf(a).Any(ch => ch.GetProperty("bytes_sent").GetInt64() >= bytes / 4))
        {
            Assert.True(DateTime.UtcNow < deadline, "lpar1's stream never got under way");
            Thread.Sleep(20);
        }

        streaming = ChannelsOf(a).First(ch => ch.GetProperty("bytes_sent").GetInt64() >= bytes / 4);
        var failedFid = Convert.ToUInt32(streaming.GetProperty("device").GetString(), 16);
        using (var cec = EmulatedCec.Open(_dir))
        {
            cec.InjectFault(failedFid, new FunctionFault { EnterErrorState = true });
        }

        var sent = new[] { a, b, c }.Select(n => n.Expect("SENT", TimeSpan.FromMinutes(10)).Split(' ')).ToList();
        var received = new List<string[]>();
        foreach (var n in new[] { b, c, a })
        {
            received.Add(n.Expect("RECEIVED", TimeSpan.FromMinutes(2)).Split(' '));
        }

        foreach (var s in sent)
        {
            // SENT peer id bytes sha256  /  RECEIVED peer id bytes sha256
            var r = Assert.Single(received, r => r[1] == s[1]);
            Assert.Equal(s[2], r[2]);
            Assert.Equal($"{bytes}", r[2]);
            Assert.Equal(s[3], r[3]);
        }

        // The stream really moved to lpar1's other function while it ran.
        var moved = ChannelsOf(a).Single(ch => ch.GetProperty("id").GetString() == streaming.GetProperty("id").GetString());
        Assert.True(moved.GetProperty("path_epoch").GetInt32() >= 1, moved.ToString());
        foreach (var n in _nodes)
        {
            n.Send("QUIT");
            n.Expect("STOPPED", Step);
            Assert.True(n.Process.WaitForExit(TimeSpan.FromSeconds(30)));
        }

        var show = Ismfabric.Json("cec", "show", "--dir", _dir, "--json");
        Assert.Empty(show.GetProperty("dmbs").EnumerateArray());
    }

    [Fact]
    public void A_node_killed_with_SIGKILL_is_noticed_by_its_peers_its_channels_close_and_no_dmb_is_left()
    {
        var a = Start("lpar1");
        var b = Start("lpar2");
        foreach (var n in _nodes)
        {
            n.Expect("READY", Step);
            n.Send("PEERS 1");
            n.Expect("PEERS ok", Step);
        }

        // A long stream from a to b, so a channel is open when b dies.
        a.Send($"STREAM lpar2 {64L << 30} 65536 9");
        var deadline = DateTime.UtcNow + Step;
        while (!ChannelsOf(a).Any(ch => ch.GetProperty("state").GetString() == "open"))
        {
            Assert.True(DateTime.UtcNow < deadline, "the channel never opened");
            Thread.Sleep(50);
        }

        var killedAt = DateTime.UtcNow;
        b.Process.Kill();
        b.Process.WaitForExit();

        // a's stream fails with a clear reason once no ISM path to lpar2 remains.
        var error = a.Expect("ERROR stream to lpar2", TimeSpan.FromSeconds(20));
        Assert.Contains("lpar2", error, StringComparison.Ordinal);
        var noticed = DateTime.UtcNow - killedAt;
        Assert.True(noticed < TimeSpan.FromSeconds(10), $"noticed after {noticed}");
        Assert.DoesNotContain(ChannelsOf(a), ch => ch.GetProperty("state").GetString() == "open");

        var show = Ismfabric.Json("cec", "show", "--dir", _dir, "--json");
        var dmbs = show.GetProperty("dmbs").EnumerateArray().Select(d => d.GetProperty("owner_lpar").GetString()).ToList();
        Assert.DoesNotContain("lpar2", dmbs);
        Assert.DoesNotContain("lpar1", dmbs); // the living node released its channel DMB too: nothing leaked
        a.Send("QUIT");
        a.Expect("STOPPED", Step);
    }

    private static List<JsonElement> ChannelsOf(AgentProcess node)
    {
        node.Send("STATUS");
        return JsonDocument.Parse(node.Expect("STATUS", Step)).RootElement.EnumerateArray().ToList();
    }

    public void Dispose()
    {
        foreach (var n in _nodes)
        {
            n.Dispose();
        }

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
