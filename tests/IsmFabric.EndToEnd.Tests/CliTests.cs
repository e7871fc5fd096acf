using System.Text.Json;

namespace IsmFabric.EndToEnd.Tests;

/// <summary>The ismfabric command as an operator meets it: listings with --json, clear errors on stderr with a non-zero exit.</summary>
public sealed class CliTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "ismfabric-cli-" + Guid.NewGuid().ToString("n")[..10]);

    [Fact]
    public void Cec_create_then_show_and_devices_list_every_function_as_json()
    {
        var created = Ismfabric.Json("cec", "create", "--dir", _dir, "--lpars", "3", "--functions-per-lpar", "2", "--json");
        Assert.Equal(6, created.GetProperty("functions").GetArrayLength());
        var show = Ismfabric.Json("cec", "show", "--dir", _dir, "--json");
        Assert.Equal(3, show.GetProperty("lpars").GetArrayLength());
        Assert.Equal(
            ["NETA", "NETB"],
            show.GetProperty("functions").EnumerateArray().Select(f => f.GetProperty("pnetid").GetString()!).Distinct().Order());
        var devices = Ismfabric.Json("devices", "--cec", _dir, "--lpar", "lpar2", "--json");
        Assert.Equal(2, devices.GetArrayLength());
        Assert.All(devices.EnumerateArray(), d => Assert.Equal("emulated", d.GetProperty("source").GetString()));
    }

    [Fact]
    public void Cec_fault_sets_and_clears_faults_that_show_lists()
    {
        Ismfabric.Json("cec", "create", "--dir", _dir, "--json");
        var (exit, stdout, stderr) = Ismfabric.Run("cec", "fault", "--dir", _dir, "--fid", "0x10", "--fail-commands", "3", "--command", "0x0a", "--slow-moves", "50");
        Assert.True(exit == 0, stderr);
        Assert.Contains("fail-commands=3", stdout, StringComparison.Ordinal);
        var f = Ismfabric.Json("cec", "show", "--dir", _dir, "--json").GetProperty("functions")[0];
        Assert.Equal(2, f.GetProperty("faults").GetArrayLength());
        Assert.Equal(0, Ismfabric.Run("cec", "fault", "--dir", _dir, "--fid", "0x10", "--clear").Exit);
        Assert.Equal(0, Ismfabric.Json("cec", "show", "--dir", _dir, "--json").GetProperty("functions")[0].GetProperty("faults").GetArrayLength());
    }

    [Theory]
    [InlineData("cec show --dir {dir}/missing", "cec.json")]
    [InlineData("cec fault --dir {dir} --fid 0x10", "name a fault")]
    [InlineData("cec fault --dir {dir} --fid 0x99 --error", "has no function 0x99")]
    [InlineData("cec fault --dir {dir} --fid banana --error", "FID 'banana'")]
    [InlineData("cec create --dir {dir}", "already holds a CEC")]
    [InlineData("cec create --dir {dir}/other --chids 0xff00", "reserved")]
    [InlineData("cec create --dir {dir}/other --memory-mib 3", "--memory-mib: 3 is outside 4..4096")]
    [InlineData("cec create --dir {dir}/other --lpars 64 --functions-per-lpar 5", "--functions-per-lpar: 64 LPARs × 5 functions are 320; accepted: at most 256 functions in all")]
    [InlineData("devices --cec {dir} --lpar nosuch", "no LPAR 'nosuch'")]
    [InlineData("devices --cec {dir}", "--cec needs --lpar")]
    public void Bad_input_gets_a_clear_error_on_stderr_and_a_nonzero_exit(string command, string expected)
    {
        Ismfabric.Json("cec", "create", "--dir", _dir, "--json");
        var (exit, stdout, stderr) = Ismfabric.Run(command.Replace("{dir}", _dir, StringComparison.Ordinal).Split(' '));
        Assert.NotEqual(0, exit);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        AssertOneErrorLine(stderr);
        Assert.Equal("", stdout.Trim());
        Assert.False(Directory.Exists(Path.Combine(_dir, "other")), "a command that failed created its directory");
    }

    [Theory]
    [InlineData("", "'ismfabric' needs a command; accepted: up, cec, devices, bench, node, status, peers, channels")]
    [InlineData("cec", "'ismfabric cec' needs a command; accepted: create, show, fault")]
    [InlineData("cec frob", "'frob' is not a command of 'ismfabric cec'; accepted: create, show, fault")]
    [InlineData("cec create", "--dir is required (see 'ismfabric cec create --help')")]
    [InlineData("cec create --dir {new} --lpars", "--lpars: needs a value (see 'ismfabric cec create --help')")]
    [InlineData("cec create --dir {new} --lpars abc", "--lpars: 'abc' is not a whole number")]
    [InlineData("cec create --dir {new} --lpars 99999999999", "--lpars: '99999999999' is out of range; accepted: -2147483648..2147483647")]
    [InlineData("cec create --dir {new} --lpars 65", "--lpars: 65 is outside 1..64")]
    [InlineData("cec create --dir {new} --lpars 0 --memory-mib 3", "--lpars: 0 is outside 1..64; --memory-mib: 3 is outside 4..4096")]
    [InlineData("cec create --dir {new} --functions-per-lpar 2147483647", "--functions-per-lpar: 2147483647 is outside 1..256")]
    [InlineData("cec create --dir {new} --chids 0xff00", "--chids: 0xff00 is reserved (0xff00..0xfffe for virtio-ism, 0xffff for loopback); accepted: 0x0000..0xfeff, comma-separated (hex with 0x)")]
    [InlineData("cec create --dir {new} --chids 0x100,zz", "--chids: 'zz' is not a CHID; accepted: 0x0000..0xfeff, comma-separated (hex with 0x)")]
    [InlineData("cec create --dir {new} --pnetids NETA,NET-B", "--pnetids: 'NET-B' is not a PNETID; accepted: 1..16 letters A-Z or digits 0-9 each (stored upper case), comma-separated")]
    [InlineData("cec create --dir {new} --pnetids ABCDEFGHIJKLMNOPQ", "--pnetids: 'ABCDEFGHIJKLMNOPQ' is not a PNETID; accepted: 1..16 letters A-Z or digits 0-9 each (stored upper case), comma-separated")]
    [InlineData("cec create --dir {new} --bogus", "unrecognized argument '--bogus' for 'ismfabric cec create' (see 'ismfabric cec create --help')")]
    [InlineData("cec create --dir {new} --dir {dir}/other", "--dir: given 2 values ('{new}', '{dir}/other'); accepted: one")]
    [InlineData("cec create --dir <empty>", "--dir: an empty value is not accepted")]
    [InlineData("cec fault --dir {dir} --fid 0x10 --lose-interrupt-rate 2000", "--lose-interrupt-rate: 2000 is outside 0..1000")]
    [InlineData("cec fault --dir {dir} --fid 0x10 --slow-moves -1", "--slow-moves: -1 is outside 0..2147483647")]
    [InlineData("up --data-dir {new} --lpars 1", "--lpars: 1 is outside 2..16")]
    [InlineData("up --data-dir {new} --duration -1", "--duration: -1 is not accepted; accepted: 0 (until Ctrl-C) or more")]
    [InlineData("up --data-dir {new} --duration soon", "--duration: 'soon' is not a number")]
    [InlineData("status --socket <empty>", "--socket: an empty value is not accepted")]
    public void A_command_line_that_does_not_parse_is_one_line_on_stderr_naming_the_option_with_exit_code_2(string command, string expected)
    {
        Ismfabric.Json("cec", "create", "--dir", _dir, "--json");
        var fresh = Path.Combine(_dir, "new");
        string Fill(string text) => text.Replace("{new}", fresh, StringComparison.Ordinal).Replace("{dir}", _dir, StringComparison.Ordinal);
        var args = command.Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(a => a == "<empty>" ? "" : Fill(a)).ToArray();

        var (exit, stdout, stderr) = Ismfabric.Run(args);

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Equal($"ismfabric: error: {Fill(expected)}\n", stderr);
        Assert.False(Directory.Exists(fresh), $"{fresh} was created by a command that did not parse");
    }

    [Fact]
    public void Help_asked_for_is_still_help_on_stdout_even_with_a_bad_value_beside_it()
    {
        var (exit, stdout, stderr) = Ismfabric.Run("cec", "create", "--lpars", "abc", "--help");

        Assert.Equal(0, exit);
        Assert.Contains("--functions-per-lpar", stdout, StringComparison.Ordinal);
        Assert.Equal("", stderr);
    }

    [Fact]
    public async Task A_failure_no_command_expected_is_still_one_line_without_a_stack_trace()
    {
        // A socket that speaks JSON, but not the control protocol's shapes: the answer does not deserialize.
        Directory.CreateDirectory(_dir);
        var path = Path.Combine(_dir, "odd.sock");
        using var listener = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        listener.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        listener.Listen();
        var server = Task.Run(() =>
        {
            using var connection = listener.Accept();
            using var stream = new System.Net.Sockets.NetworkStream(connection);
            using var reader = new StreamReader(stream);
            reader.ReadLine();
            stream.Write("{\"ok\":true,\"result\":5}\n"u8);
        });

        var (exit, stdout, stderr) = Ismfabric.Run("status", "--json", "--socket", path);
        await server.WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.StartsWith("ismfabric: error: unexpected JsonException: ", stderr, StringComparison.Ordinal);
        AssertOneErrorLine(stderr);
    }

    [Fact]
    public void Cec_create_show_and_devices_write_GIDs_as_hex_strings_that_jq_and_JavaScript_cannot_round()
    {
        var created = Ismfabric.Json("cec", "create", "--dir", _dir, "--lpars", "2", "--functions-per-lpar", "2", "--json");
        var show = Ismfabric.Json("cec", "show", "--dir", _dir, "--json");
        var devices = Ismfabric.Json("devices", "--cec", _dir, "--lpar", "lpar1", "--json");
        using var cec = IsmFabric.Emulation.EmulatedCec.Open(_dir);
        var gids = cec.Definition.Functions.Select(f => $"0x{f.Gid:x16}").ToList();

        Assert.Equal(gids, created.GetProperty("functions").EnumerateArray().Select(f => f.GetProperty("gid").GetString()));
        Assert.Equal(gids, show.GetProperty("functions").EnumerateArray().Select(f => f.GetProperty("gid").GetString()));
        Assert.Equal(
            cec.Definition.Functions.Where(f => f.Lpar == "lpar1").Select(f => $"0x{f.Gid:x16}"),
            devices.EnumerateArray().Select(d => d.GetProperty("gid").GetString()));
    }

    private static void AssertOneErrorLine(string stderr)
    {
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{stderr}");
        Assert.StartsWith("ismfabric: error: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal); // a message, not a stack trace
    }

    [Fact]
    public void Bench_moves_json_has_every_metric_with_its_baseline_and_ratio()
    {
        var report = Ismfabric.Json("bench", "moves", "--json", "--seconds", "0.05", "--rounds", "200");
        var metrics = report.GetProperty("metrics").EnumerateArray().ToDictionary(m => m.GetProperty("name").GetString()!);
        Assert.Equal(
            ["move_throughput_1m", "move_throughput_4k", "move_throughput_64k", "signal_rtt_p50_us", "signal_rtt_p99_us"],
            metrics.Keys.Order());
        foreach (var m in metrics.Values)
        {
            var value = m.GetProperty("value").GetDouble();
            var baseline = m.GetProperty("baseline_value").GetDouble();
            Assert.True(value > 0 && baseline > 0, m.ToString());
            Assert.Equal(value / baseline, m.GetProperty("ratio").GetDouble(), 6);
            Assert.False(string.IsNullOrEmpty(m.GetProperty("baseline").GetString()));
            Assert.False(string.IsNullOrEmpty(m.GetProperty("unit").GetString()));
        }
    }

    public void Dispose()
    {
        // Whatever the processes did, nothing unmapped DMA memory a device still held (the emulated IOMMU counts it).
        IReadOnlyList<string> iommuFaults = [];
        if (IsmFabric.Emulation.EmulatedCec.Exists(_dir))
        {
            using var cec = IsmFabric.Emulation.EmulatedCec.Open(_dir);
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
