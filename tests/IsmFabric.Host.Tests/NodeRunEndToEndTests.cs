using System.Diagnostics;
using System.Text.Json;
using IsmFabric.Emulation;

namespace IsmFabric.Host.Tests;

public sealed class NodeRunEndToEndTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("ismfh-e2e-").FullName;

    public void Dispose()
    {
        // Whatever the nodes did, nothing unmapped DMA memory a device still held (the emulated IOMMU counts it).
        IReadOnlyList<string> iommuFaults = [];
        if (EmulatedCec.Exists(Cec))
        {
            using var cec = EmulatedCec.Open(Cec);
            iommuFaults = cec.IommuFaultReport();
        }

        Directory.Delete(_dir, recursive: true);
        Assert.True(iommuFaults.Count == 0, "unmapped while a device held it: " + string.Join("; ", iommuFaults));
    }

    private string Cec => Path.Combine(_dir, "cec");

    private string Data(string lpar) => Path.Combine(_dir, lpar);

    private static readonly Dictionary<string, string> FastKeepalives = new()
    {
        // Through the environment, as an operator would: faster keepalives make the test quicker.
        ["ISMFABRIC_Node__KeepaliveIntervalMs"] = "50",
    };

    private NodeProcess StartNode(string lpar) =>
        NodeProcess.Start(FastKeepalives, "node", "run", "--cec", Cec, "--lpar", lpar, "--data-dir", Data(lpar));

    private static JsonElement WaitUntil(NodeProcess node, string[] args, Func<JsonElement, bool> condition, string what)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (clock.Elapsed < Patience)
        {
            if (node.Process.HasExited)
            {
                Assert.Fail($"the node exited ({node.Process.ExitCode}) while waiting until {what}:\n{node.Output}");
            }

            var (exit, stdout, stderr) = NodeProcess.Run(args);
            last = exit == 0 ? stdout : stderr;
            if (exit == 0)
            {
                var json = JsonDocument.Parse(stdout).RootElement.Clone();
                if (condition(json))
                {
                    return json;
                }
            }

            Thread.Sleep(100);
        }

        throw new TimeoutException($"not {what} after {Patience}; last answer: {last}\nnode output:\n{node.Output}");
    }

    private static JsonElement WaitUntilUp(NodeProcess node, string dataDir, int devices = 2, int peers = 1) =>
        WaitUntil(
            node, ["status", "--json", "--data-dir", dataDir],
            s => s.GetProperty("devices").GetInt32() == devices && s.GetProperty("devices_up").GetInt32() == devices
                && s.GetProperty("peers").GetInt32() == peers && s.GetProperty("peers_reachable").GetInt32() == peers,
            $"the node in {dataDir} has its devices up and its peers reachable");

    private void CreateCec(int lpars, int functions)
    {
        using (EmulatedCec.Create(Cec, CecDefinition.Build("t", lpars, functions, [0x100, 0x200], ["A", "B"], 16L << 20)))
        {
        }
    }

    [Fact]
    public void Two_nodes_on_an_emulated_CEC_see_each_other_and_stop_in_order_on_SIGTERM()
    {
        CreateCec(2, 2);
        using var node1 = StartNode("lpar1");
        using var node2 = StartNode("lpar2");

        var status = WaitUntilUp(node1, Data("lpar1"));
        WaitUntilUp(node2, Data("lpar2"));
        Assert.Equal("lpar1", status.GetProperty("node").GetString());

        var peers = NodeProcess.Json("peers", "--json", "--socket", Path.Combine(Data("lpar1"), "node.sock"));
        var peer = Assert.Single(peers.EnumerateArray());
        Assert.Equal("lpar2", peer.GetProperty("name").GetString());
        Assert.Equal(2, peer.GetProperty("reachable_gids").GetArrayLength());
        Assert.Equal(0, NodeProcess.Json("channels", "--json", "--data-dir", Data("lpar1")).GetArrayLength());
        var devices = NodeProcess.Json("devices", "--json", "--socket", Path.Combine(Data("lpar2"), "node.sock"));
        Assert.All(devices.EnumerateArray(), d => Assert.Equal("up", d.GetProperty("state").GetString()));

        // A second node on the same data directory is refused while the first lives (on real functions, so that it is
        // the control socket that refuses it, not the emulated LPAR the first one holds).
        var (exit, _, stderr) = NodeProcess.Run("node", "run", "--name", "lpar1", "--data-dir", Data("lpar1"));
        Assert.Equal(1, exit);
        Assert.Contains("a node is already listening on", stderr, StringComparison.Ordinal);

        node1.Terminate();
        Assert.Equal(0, node1.WaitForExit(TimeSpan.FromSeconds(20)));

        // The peer heard the shutdown event (or missed keepalives) and marks lpar1 unreachable.
        WaitUntil(node2, ["status", "--json", "--data-dir", Data("lpar2")], s => s.GetProperty("peers_reachable").GetInt32() == 0, "lpar2 sees lpar1 gone");

        node2.Terminate();
        Assert.Equal(0, node2.WaitForExit(TimeSpan.FromSeconds(20)));

        foreach (var lpar in new[] { "lpar1", "lpar2" })
        {
            Assert.False(File.Exists(Path.Combine(Data(lpar), "node.sock")), $"{lpar}'s control socket was not removed");
            var log = File.ReadAllText(Assert.Single(Directory.GetFiles(Path.Combine(Data(lpar), "logs"), "node-*.log")));
            AssertInOrder(
                log,
                $"node {lpar} stopping",
                $"control socket {Path.Combine(Data(lpar), "node.sock")} removed",
                $"node {lpar}: shutting down: closing",
                $"fabric node {lpar} stopped",
                $"emulated LPAR {lpar} detached",
                "journal closed",
                $"node {lpar} stopped");
        }

        var cec = NodeProcess.Json("cec", "show", "--dir", Cec, "--json");
        Assert.Empty(cec.GetProperty("dmbs").EnumerateArray());
        Assert.All(cec.GetProperty("lpars").EnumerateArray(), l => Assert.False(l.GetProperty("attached").GetBoolean()));
    }

    [Fact]
    public void A_bad_setting_stops_node_run_before_it_starts_with_the_key_on_stderr()
    {
        var (exit, stdout, stderr) = NodeProcess.Run(
            new Dictionary<string, string> { ["ISMFABRIC_Node__KeepaliveIntervalMs"] = "5" },
            "node", "run", "--name", "n", "--data-dir", Data("n"));

        Assert.Equal(2, exit);
        Assert.Equal("ismfabric: error: Node:KeepaliveIntervalMs: 5 is outside 10..60000", stderr.Trim());
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(Data("n")));
    }

    [Fact]
    public void Status_without_a_node_says_how_to_start_one()
    {
        var (exit, stdout, stderr) = NodeProcess.Run("status", "--data-dir", Data("none"));

        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Equal($"ismfabric: error: no node is listening on {Path.Combine(Data("none"), "node.sock")}: start one with 'ismfabric node run'", stderr.Trim());
    }

    [Fact]
    public void A_node_on_a_missing_LPAR_is_refused_in_one_line_before_anything_is_created()
    {
        CreateCec(1, 1);

        var (exit, stdout, stderr) = NodeProcess.Run("node", "run", "--cec", Cec, "--lpar", "lpar9", "--data-dir", Data("lpar9"));

        Assert.Equal(2, exit);
        Assert.Equal($"ismfabric: error: Node:Lpar: 'lpar9' is not an LPAR of the CEC in {Cec}; accepted: lpar1", stderr.TrimEnd('\n'));
        Assert.Equal("", stdout);
        Assert.False(Directory.Exists(Data("lpar9")), "the refused node left its data directory behind");
    }

    [Fact]
    public void A_node_on_a_missing_LPAR_leaves_no_default_data_directory_in_the_working_directory()
    {
        CreateCec(1, 1);
        var work = Directory.CreateDirectory(Path.Combine(_dir, "work")).FullName;

        var (exit, _, stderr) = NodeProcess.RunIn(work, "node", "run", "--cec", Cec, "--lpar", "lpar9");

        Assert.Equal(2, exit);
        Assert.StartsWith("ismfabric: error: Node:Lpar: 'lpar9'", stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(work));
    }

    [Fact]
    public void A_node_on_an_LPAR_another_node_holds_is_refused_in_one_line_before_it_creates_its_data_directory()
    {
        CreateCec(1, 1);
        using var first = StartNode("lpar1");
        WaitUntilUp(first, Data("lpar1"), devices: 1, peers: 0);

        var (exit, stdout, stderr) = NodeProcess.Run("node", "run", "--cec", Cec, "--lpar", "lpar1", "--data-dir", Data("second"));

        Assert.Equal(1, exit);
        Assert.Equal("", stdout);
        Assert.Equal($"ismfabric: error: node lpar1: LPAR 'lpar1' of the CEC in {Cec} is already attached by process {first.Process.Id}\n", stderr);
        Assert.False(Directory.Exists(Data("second")), "the refused node left its data directory behind");
        first.Terminate();
        Assert.Equal(0, first.WaitForExit(TimeSpan.FromSeconds(20)));
    }

    [Fact]
    public void A_node_killed_with_SIGKILL_is_restarted_on_its_stale_socket_and_logs_JSON_when_asked()
    {
        CreateCec(1, 1);
        using (var killed = StartNode("lpar1"))
        {
            WaitUntilUp(killed, Data("lpar1"), devices: 1, peers: 0);
            killed.Process.Kill(); // SIGKILL: no cleanup at all
            killed.WaitForExit(TimeSpan.FromSeconds(10));
        }

        Assert.True(File.Exists(Path.Combine(Data("lpar1"), "node.sock")), "SIGKILL should have left the socket file behind");
        var jsonLog = Path.Combine(_dir, "json-logs", "node-.log");
        using var node = NodeProcess.Start(
            new Dictionary<string, string> { ["ISMFABRIC_Node__Logging__File"] = jsonLog },
            "node", "run", "--cec", Cec, "--lpar", "lpar1", "--data-dir", Data("lpar1"), "--log-json");
        WaitUntilUp(node, Data("lpar1"), devices: 1, peers: 0);
        node.Terminate();
        Assert.Equal(0, node.WaitForExit(TimeSpan.FromSeconds(20)));

        var events = File.ReadAllLines(Assert.Single(Directory.GetFiles(Path.GetDirectoryName(jsonLog)!)))
            .Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        var replaced = Assert.Single(events, e => e.GetProperty("MessageTemplate").GetString()!.StartsWith("replaced the stale control socket", StringComparison.Ordinal));
        Assert.Equal(Path.Combine(Data("lpar1"), "node.sock"), replaced.GetProperty("Properties").GetProperty("Socket").GetString());
        Assert.All(events, e => Assert.Equal("lpar1", e.GetProperty("Properties").GetProperty("Node").GetString()));
        Assert.Contains(events, e => e.GetProperty("MessageTemplate").GetString() == "node {Node} stopped");
        Assert.Contains(events, e => e.GetProperty("Level").GetString() == "Information" && e.TryGetProperty("RenderedMessage", out _));

        // The console got JSON too.
        Assert.All(node.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => JsonDocument.Parse(l).Dispose());
    }

    [PostgresFact]
    public async Task A_node_given_a_PostgreSQL_connection_string_journals_there_instead_of_SQLite()
    {
        CreateCec(1, 1);
        var schema = $"host_test_{Guid.NewGuid():N}";
        var connection = Environment.GetEnvironmentVariable(PostgresFactAttribute.Variable)!;
        try
        {
            using var node = NodeProcess.Start(
                new Dictionary<string, string>
                {
                    ["ISMFABRIC_Node__Database__Postgres"] = connection,
                    ["ISMFABRIC_Node__Database__PostgresSchema"] = schema,
                },
                "node", "run", "--cec", Cec, "--lpar", "lpar1", "--data-dir", Data("lpar1"));
            WaitUntilUp(node, Data("lpar1"), devices: 1, peers: 0);
            node.Terminate();
            Assert.Equal(0, node.WaitForExit(TimeSpan.FromSeconds(20)));
            Assert.Contains($"journal on PostgreSQL, schema {schema}", node.Output, StringComparison.Ordinal);
            Assert.False(File.Exists(Path.Combine(Data("lpar1"), "node.db")));
        }
        finally
        {
            await using var db = new Npgsql.NpgsqlConnection(connection);
            await db.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand($"DROP SCHEMA IF EXISTS {schema} CASCADE", db);
            await drop.ExecuteNonQueryAsync();
        }
    }

    private static void AssertInOrder(string log, params string[] steps)
    {
        var at = 0;
        foreach (var step in steps)
        {
            var found = log.IndexOf(step, at, StringComparison.Ordinal);
            Assert.True(found >= 0, $"'{step}' does not follow the earlier steps in the log:\n{log}");
            at = found + step.Length;
        }
    }
}
