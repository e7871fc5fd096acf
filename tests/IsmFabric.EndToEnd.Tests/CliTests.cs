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
    [InlineData("cec create --dir {dir}/other --memory-mib 3", "LPAR memory")]
    [InlineData("devices --cec {dir} --lpar nosuch", "no LPAR 'nosuch'")]
    [InlineData("devices --cec {dir}", "--cec needs --lpar")]
    public void Bad_input_gets_a_clear_error_on_stderr_and_a_nonzero_exit(string command, string expected)
    {
        Ismfabric.Json("cec", "create", "--dir", _dir, "--json");
        var (exit, stdout, stderr) = Ismfabric.Run(command.Replace("{dir}", _dir, StringComparison.Ordinal).Split(' '));
        Assert.NotEqual(0, exit);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal); // a message, not a stack trace
        Assert.Equal("", stdout.Trim());
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
        try
        {
            Directory.Delete(_dir, true);
        }
        catch (IOException)
        {
        }
    }
}
