namespace IsmFabric.EndToEnd.Tests;

/// <summary>The README's first command: <c>ismfabric up</c>.</summary>
public sealed class UpTests : IDisposable
{
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "ismfabric-up-" + Guid.NewGuid().ToString("n")[..10]);

    [Fact]
    public void Up_starts_three_node_processes_that_all_reach_each_other_on_both_chids_and_removes_everything_afterwards()
    {
        var status = Ismfabric.Json("up", "--data-dir", _dataDir, "--duration", "8", "--json");

        Assert.Equal(["lpar1", "lpar2", "lpar3"], status.EnumerateArray().Select(l => l.GetProperty("lpar").GetString()!).Order());
        foreach (var lpar in status.EnumerateArray())
        {
            var node = lpar.GetProperty("status");
            Assert.Equal(2, node.GetProperty("devices").GetInt32());
            Assert.Equal(2, node.GetProperty("devices_up").GetInt32());
            Assert.Equal(2, lpar.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("chid").GetInt32()).Distinct().Count());
            Assert.All(lpar.GetProperty("devices").EnumerateArray(), d => Assert.Matches("^0x[0-9a-f]{16}$", d.GetProperty("gid").GetString()));
            var peers = lpar.GetProperty("peers").EnumerateArray().ToList();
            Assert.Equal(2, peers.Count);
            Assert.All(peers, p => Assert.True(p.GetProperty("reachable").GetBoolean(), p.ToString()));
            Assert.All(peers, p => Assert.Equal(2, p.GetProperty("reachable_gids").GetArrayLength())); // both CHIDs
            Assert.All(peers.SelectMany(p => p.GetProperty("gids").EnumerateArray()), g => Assert.Matches("^0x[0-9a-f]{16}$", g.GetString()));
        }

        Assert.False(Directory.Exists(_dataDir), "up must remove what it created when it stops");
    }

    [Fact]
    public void Up_with_keep_leaves_the_nodes_databases_and_logs_and_says_where()
    {
        var (exit, _, stderr) = Ismfabric.Run("up", "--data-dir", _dataDir, "--duration", "3", "--keep");
        Assert.Equal(0, exit);
        Assert.Contains($"state in {_dataDir}", stderr, StringComparison.Ordinal);
        Assert.Contains($"kept in {_dataDir}", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(_dataDir, "cec")), "up must remove the emulated CEC when it stops");
        Assert.True(File.Exists(Path.Combine(_dataDir, "lpar1", "node.db")), "each node keeps its state in SQLite");
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(_dataDir, "lpar2", "logs")));
    }

    [Fact]
    public void Up_by_default_keeps_its_state_under_the_users_state_directory()
    {
        var state = Path.Combine(_dataDir, "xdg");
        var (exit, _, stderr) = Ismfabric.Run(new Dictionary<string, string> { ["XDG_STATE_HOME"] = state }, "up", "--duration", "2");
        Assert.Equal(0, exit);
        Assert.Contains($"state in {Path.Combine(state, "ismfabric", "up")}", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(state, "ismfabric", "up")), "up must remove what it created when it stops");
    }

    [Fact]
    public void Up_refuses_bad_lpar_counts_with_a_clear_error()
    {
        var (exit, _, stderr) = Ismfabric.Run("up", "--data-dir", _dataDir, "--lpars", "1", "--duration", "1");
        Assert.NotEqual(0, exit);
        Assert.Equal("ismfabric: error: --lpars: 1 is outside 2..16\n", stderr);
        Assert.False(Directory.Exists(_dataDir), "up created its data directory for an LPAR count it refused");
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dataDir, true);
        }
        catch (IOException)
        {
            // already gone, or still held open by a process that is exiting
        }
    }
}
