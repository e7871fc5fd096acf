using IsmFabric.Emulation;
using IsmFabric.Fabric;
using IsmFabric.Host.Configuration;
using Microsoft.Extensions.Configuration;

namespace IsmFabric.Host.Tests;

public sealed class NodeOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("ismfh-opt-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private NodeOptions Load(params (string Key, string? Value)[] values) =>
        NodeOptions.FromConfiguration(
            new ConfigurationBuilder().AddInMemoryCollection(values.GroupBy(v => v.Key).Select(g => new KeyValuePair<string, string?>(g.Key, g.Last().Value))).Build(), _dir);

    private NodeConfigurationException Rejected(params (string Key, string? Value)[] values) =>
        Assert.Throws<NodeConfigurationException>(() => Load(values));

    [Fact]
    public void Without_configuration_every_path_defaults_under_the_data_directory_named_after_the_node()
    {
        var options = Load((NodeConfigurationKeys.Name, "n1"));

        Assert.Equal(Path.Combine(_dir, "ismfabric-data", "n1"), options.DataDirectory);
        Assert.Equal(Path.Combine(options.DataDirectory, "node.sock"), options.ControlSocket);
        Assert.Equal(Path.Combine(options.DataDirectory, "node.db"), options.Database.Sqlite);
        Assert.Equal(Path.Combine(options.DataDirectory, "logs", "node-.log"), options.Logging.File);
        Assert.False(options.Database.UsesPostgres);
        Assert.False(options.IsEmulated);
        Assert.Empty(options.Peers);
    }

    [Fact]
    public void The_node_is_named_after_its_emulated_LPAR_unless_named_otherwise()
    {
        using (EmulatedCec.Create(Path.Combine(_dir, "cec"), CecDefinition.Build("t", 2, 1, [0x100], null, 16L << 20)))
        {
        }

        var options = Load((NodeConfigurationKeys.Cec, "cec"), (NodeConfigurationKeys.Lpar, "lpar2"));

        Assert.Equal("lpar2", options.Name);
        Assert.Equal(Path.Combine(_dir, "cec"), options.Cec);
        Assert.Equal("other", Load((NodeConfigurationKeys.Cec, "cec"), (NodeConfigurationKeys.Lpar, "lpar2"), (NodeConfigurationKeys.Name, "other")).Name);
    }

    [Fact]
    public void The_shipped_configuration_file_documents_exactly_the_built_in_defaults()
    {
        Assert.True(File.Exists(NodeConfiguration.DefaultFile), $"{NodeConfiguration.DefaultFile} is not shipped beside the binaries");
        var shipped = NodeOptions.FromConfiguration(NodeConfiguration.Build(null, [new(NodeConfigurationKeys.Name, "n")], "ISMFABRIC_NONE_"), _dir);
        var builtIn = Load((NodeConfigurationKeys.Name, "n"));

        IReadOnlyList<PeerDefinition> none = [];
        var vfio = new IsmFabric.Vfio.VfioOpenOptions();
        Assert.Equal(builtIn with { Peers = none, Vfio = vfio }, shipped with { Peers = none, Vfio = vfio });
        Assert.Equal(builtIn.Vfio.Mode, shipped.Vfio.Mode);
        Assert.Equal(builtIn.Vfio.SysfsRoot, shipped.Vfio.SysfsRoot);
        Assert.Equal(builtIn.Vfio.DevRoot, shipped.Vfio.DevRoot);
        Assert.Empty(shipped.Peers);
    }

    [Fact]
    public void The_fabric_timings_default_to_the_fabric_cores_defaults()
    {
        var settings = Load((NodeConfigurationKeys.Name, "n")).ToFabricSettings([]);

        Assert.Equal(new FabricNodeSettings { NodeName = "n", Peers = settings.Peers }, settings);
    }

    [Fact]
    public void Command_line_beats_environment_beats_config_file_beats_shipped_defaults()
    {
        var file = Path.Combine(_dir, "node.json");
        File.WriteAllText(file, """{ "Node": { "KeepaliveIntervalMs": 300, "KeepaliveMisses": 7, "NegotiationAttempts": 9 } }""");
        var prefix = $"ISMFABRIC_T{Guid.NewGuid():N}_";
        Environment.SetEnvironmentVariable($"{prefix}Node__KeepaliveIntervalMs", "400");
        Environment.SetEnvironmentVariable($"{prefix}Node__KeepaliveMisses", "8");
        try
        {
            var options = NodeOptions.FromConfiguration(
                NodeConfiguration.Build(file, [new(NodeConfigurationKeys.Name, "n"), new(NodeConfigurationKeys.KeepaliveIntervalMs, "500")], prefix), _dir);

            Assert.Equal(TimeSpan.FromMilliseconds(500), options.KeepaliveInterval); // command line
            Assert.Equal(8, options.KeepaliveMisses); // environment
            Assert.Equal(9, options.NegotiationAttempts); // --config file
            Assert.Equal(TimeSpan.FromSeconds(1), options.NegotiationTimeout); // shipped
        }
        finally
        {
            Environment.SetEnvironmentVariable($"{prefix}Node__KeepaliveIntervalMs", null);
            Environment.SetEnvironmentVariable($"{prefix}Node__KeepaliveMisses", null);
        }
    }

    [Fact]
    public void A_missing_config_file_is_named_in_the_error()
    {
        var e = Assert.Throws<NodeConfigurationException>(() => NodeConfiguration.Build(Path.Combine(_dir, "nope.json")));

        Assert.Equal("--config", e.Key);
        Assert.Contains("nope.json does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_config_file_that_is_not_JSON_is_named_in_the_error()
    {
        var file = Path.Combine(_dir, "broken.json");
        File.WriteAllText(file, "{ \"Node\": { ");

        var e = Assert.Throws<NodeConfigurationException>(() => NodeConfiguration.Build(file));

        Assert.StartsWith($"{file}: ", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Node:KeepaliveIntervalMs", "5", "Node:KeepaliveIntervalMs: 5 is outside 10..60000")]
    [InlineData("Node:KeepaliveIntervalMs", "fast", "Node:KeepaliveIntervalMs: 'fast' is not a whole number; accepted: 10..60000")]
    [InlineData("Node:KeepaliveMisses", "0", "Node:KeepaliveMisses: 0 is outside 1..100")]
    [InlineData("Node:ChannelDmbSize", "4096", "Node:ChannelDmbSize: 4096 is outside 16384..1048576")]
    [InlineData("Node:ChannelDmbSize", "20000", "Node:ChannelDmbSize: 20000 is not a power of two; accepted: 16384, 32768, … 1048576")]
    [InlineData("Node:NegotiationTimeoutMs", "0", "Node:NegotiationTimeoutMs: 0 is outside 1..600000")]
    [InlineData("Node:NegotiationAttempts", "101", "Node:NegotiationAttempts: 101 is outside 1..100")]
    [InlineData("Node:DmbQuotaPerOwner", "1", "Node:DmbQuotaPerOwner: 1 is outside 2..1888")]
    [InlineData("Node:DeviceRestartMinBackoffMs", "0", "Node:DeviceRestartMinBackoffMs: 0 is outside 1..600000")]
    [InlineData("Node:DeviceRestartMaxBackoffMs", "50", "Node:DeviceRestartMaxBackoffMs: 50 is below Node:DeviceRestartMinBackoffMs (100); accepted: 100..3600000")]
    [InlineData("Node:InterruptPollIntervalMs", "0", "Node:InterruptPollIntervalMs: 0 is outside 1..10000")]
    [InlineData("Node:InterruptPollIntervalMs", "-5", "Node:InterruptPollIntervalMs: -5 is outside 1..10000")]
    [InlineData("Node:InterruptPollIntervalMs", "0.5", "Node:InterruptPollIntervalMs: '0.5' is not a whole number; accepted: 1..10000")]
    [InlineData("Node:KeepaliveIntervalMs", "-100", "Node:KeepaliveIntervalMs: -100 is outside 10..60000")]
    [InlineData("Node:NegotiationTimeoutMs", "-1", "Node:NegotiationTimeoutMs: -1 is outside 1..600000")]
    [InlineData("Node:DeviceRestartMinBackoffMs", "-1", "Node:DeviceRestartMinBackoffMs: -1 is outside 1..600000")]
    [InlineData("Node:DeviceRestartMaxBackoffMs", "-1", "Node:DeviceRestartMaxBackoffMs: -1 is outside 1..3600000")]
    [InlineData("Node:ShutdownTimeoutMs", "-10000", "Node:ShutdownTimeoutMs: -10000 is outside 100..600000")]
    [InlineData("Node:ShutdownTimeoutMs", "99999999999", "Node:ShutdownTimeoutMs: '99999999999' is not a whole number; accepted: 100..600000")]
    [InlineData("Node:ShutdownTimeoutMs", "10", "Node:ShutdownTimeoutMs: 10 is outside 100..600000")]
    [InlineData("Node:Name", "my node", "Node:Name: 'my node' is not accepted; accepted: 1..64 letters, digits, '.', '_' or '-', starting with a letter or digit")]
    [InlineData("Node:Logging:Level", "Loud", "Node:Logging:Level: 'Loud' is not accepted; accepted: Verbose, Debug, Information, Warning, Error, Fatal")]
    [InlineData("Node:Logging:Level", "7", "Node:Logging:Level: '7' is not accepted; accepted: Verbose, Debug, Information, Warning, Error, Fatal")]
    [InlineData("Node:Logging:Json", "yes", "Node:Logging:Json: 'yes' is not a boolean; accepted: true, false")]
    [InlineData("Node:Logging:Console", "1", "Node:Logging:Console: '1' is not a boolean; accepted: true, false")]
    [InlineData("Node:Logging:RetainedFiles", "0", "Node:Logging:RetainedFiles: 0 is outside 1..1000")]
    [InlineData("Node:Vfio:Mode", "Fast", "Node:Vfio:Mode: 'Fast' is not accepted; accepted: Auto, Legacy, Cdev")]
    [InlineData("Node:Vfio:SysfsRoot", "sys", "Node:Vfio:SysfsRoot: 'sys' is not accepted; accepted: an absolute path such as /sys")]
    [InlineData("Node:Vfio:DevRoot", "dev", "Node:Vfio:DevRoot: 'dev' is not accepted; accepted: an absolute path such as /dev")]
    [InlineData("Node:Database:PostgresSchema", "Fabric-1", "Node:Database:PostgresSchema: 'Fabric-1' is not accepted; accepted: 1..63 lower-case letters, digits or '_', not starting with a digit")]
    [InlineData("Node:Lpar", "lpar1", "Node:Cec: required with Node:Lpar (the emulated CEC directory)")]
    [InlineData("Node:Cec", "/tmp", "Node:Lpar: required with Node:Cec (the emulated LPAR to attach, e.g. lpar1)")]
    public void A_bad_value_is_rejected_with_a_message_naming_its_key_and_the_accepted_values(string key, string value, string message)
    {
        var e = Rejected((NodeConfigurationKeys.Name, "n"), (key, value));

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_postgres_connection_string_that_does_not_parse_is_rejected_naming_its_key()
    {
        var e = Rejected((NodeConfigurationKeys.Name, "n"), (NodeConfigurationKeys.Postgres, "Host"));

        Assert.Equal(NodeConfigurationKeys.Postgres, e.Key);
        Assert.Contains("accepted: e.g. Host=", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_postgres_connection_string_wins_over_sqlite()
    {
        var options = Load((NodeConfigurationKeys.Name, "n"), (NodeConfigurationKeys.Postgres, "Host=127.0.0.1;Port=55432;Username=postgres"));

        Assert.True(options.Database.UsesPostgres);
        Assert.Equal("ismfabric", options.Database.PostgresSchema);
    }

    [Fact]
    public void A_CEC_directory_without_a_CEC_is_rejected_naming_the_key()
    {
        var e = Rejected((NodeConfigurationKeys.Cec, "empty"), (NodeConfigurationKeys.Lpar, "lpar1"));

        Assert.Equal($"Node:Cec: no emulated CEC in {Path.Combine(_dir, "empty")}; accepted: a directory made by 'ismfabric cec create --dir {Path.Combine(_dir, "empty")}'", e.Message);
    }

    [Fact]
    public void An_LPAR_the_CEC_lacks_is_rejected_naming_the_key_and_the_LPARs_it_has()
    {
        EmulatedCec.Create(Path.Combine(_dir, "cec"), CecDefinition.Build("t", 2, 1, [0x100], null, 16L << 20)).Dispose();

        var e = Rejected((NodeConfigurationKeys.Cec, "cec"), (NodeConfigurationKeys.Lpar, "lpar9"));

        Assert.Equal($"Node:Lpar: 'lpar9' is not an LPAR of the CEC in {Path.Combine(_dir, "cec")}; accepted: lpar1, lpar2", e.Message);
    }

    [Fact]
    public void A_CEC_whose_definition_the_emulator_cannot_hold_is_rejected_naming_the_key_the_file_and_the_field()
    {
        var cec = Path.Combine(_dir, "cec");
        var definition = CecDefinition.Build("t", 2, 1, [0x100], null, 16L << 20);
        EmulatedCec.Create(cec, definition).Dispose();
        var bad = definition with { Functions = definition.Functions.Select(f => f with { Chid = 0xFFFF }).ToList() };
        File.WriteAllText(Path.Combine(cec, "cec.json"), System.Text.Json.JsonSerializer.Serialize(bad));

        var e = Rejected((NodeConfigurationKeys.Cec, "cec"), (NodeConfigurationKeys.Lpar, "lpar1"));

        Assert.Equal(NodeConfigurationKeys.Cec, e.Key);
        Assert.Equal(
            $"Node:Cec: {Path.Combine(cec, "cec.json")}: not a valid CEC definition (functions[0].chid: 0xffff is reserved; accepted: 0x0000..0xfeff (0xff00..0xfffe are reserved for virtio-ism, 0xffff for loopback))",
            e.Message);
    }

    [Fact]
    public void A_control_socket_path_longer_than_a_UNIX_socket_address_holds_is_rejected()
    {
        var e = Rejected((NodeConfigurationKeys.Name, "n"), (NodeConfigurationKeys.DataDirectory, "/tmp/" + new string('d', 100)));

        Assert.Equal(NodeConfigurationKeys.ControlSocket, e.Key);
        Assert.Contains("a UNIX socket path holds at most 107", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Peers_are_read_from_an_array_with_hex_and_decimal_GIDs()
    {
        var options = Load(
            (NodeConfigurationKeys.Name, "n"),
            ("Node:Peers:0:Name", "lpar2"), ("Node:Peers:0:Gids:0", "0x1000000000000002"), ("Node:Peers:0:Gids:1", "17"),
            ("Node:Peers:1:Name", "lpar3"), ("Node:Peers:1:Gids:0", "0X1000000000000003"));

        Assert.Equal(["lpar2", "lpar3"], options.Peers.Select(p => p.Name));
        Assert.Equal([0x1000000000000002UL, 17UL], options.Peers[0].Gids);
        Assert.Equal([0x1000000000000003UL], options.Peers[1].Gids);
    }

    [Fact]
    public void A_peers_GIDs_may_be_one_comma_separated_value_as_an_environment_variable_holds_them()
    {
        var options = Load((NodeConfigurationKeys.Name, "n"), ("Node:Peers:0:Name", "lpar2"), ("Node:Peers:0:Gids", "0x1000000000000002, 0x1000000000000004"));

        Assert.Equal([0x1000000000000002UL, 0x1000000000000004UL], options.Peers[0].Gids);
    }

    [Theory]
    [InlineData("Node:Peers:0:Name", "", "Node:Peers:0:Name: missing; accepted: the peer's name (its LPAR name on an emulated CEC)")]
    [InlineData("Node:Peers:0:Gids:0", "0xzz", "Node:Peers:0:Gids:0: '0xzz' is not a GID; accepted: a non-zero 64-bit number, hex as 0x…")]
    [InlineData("Node:Peers:0:Gids:0", "0", "Node:Peers:0:Gids:0: '0' is not a GID; accepted: a non-zero 64-bit number, hex as 0x…")]
    [InlineData("Node:Peers:1:Name", "a", "Node:Peers:1:Name: 'a' names two peers; accepted: a name no other peer has")]
    [InlineData("Node:Peers:1:Gids:0", "0x1", "Node:Peers:1:Gids:0: 0x0000000000000001 is already a GID of peer 'a'; accepted: GIDs no other peer has")]
    public void A_bad_peer_is_rejected_naming_the_exact_key(string key, string value, string message)
    {
        var values = new Dictionary<string, string?>
        {
            [NodeConfigurationKeys.Name] = "n",
            ["Node:Peers:0:Name"] = "a",
            ["Node:Peers:0:Gids:0"] = "0x1",
            ["Node:Peers:1:Name"] = "b",
            ["Node:Peers:1:Gids:0"] = "0x2",
        };
        values[key] = value;

        var e = Rejected(values.Select(v => (v.Key, v.Value)).ToArray());

        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void A_peer_without_GIDs_is_rejected()
    {
        var e = Rejected((NodeConfigurationKeys.Name, "n"), ("Node:Peers:0:Name", "a"));

        Assert.Equal("Node:Peers:0:Gids: missing; accepted: one or more GIDs such as [\"0x1000000000000001\"]", e.Message);
    }

    [Fact]
    public void An_emulated_LPARs_default_peers_are_the_other_LPARs_with_all_their_GIDs()
    {
        var cec = CecDefinition.Build("t", 3, 2, [0x100, 0x200], null, 16L << 20, seed: 7);

        var peers = EmulatedPeers.Of(cec, "lpar2");

        Assert.Equal(["lpar1", "lpar3"], peers.Select(p => p.Name));
        Assert.Equal(cec.Functions.Where(f => f.Lpar == "lpar3").Select(f => f.Gid), peers[1].Gids);
    }

    [Fact]
    public void Configured_peers_replace_the_default_peers()
    {
        var options = Load((NodeConfigurationKeys.Name, "n"), ("Node:Peers:0:Name", "x"), ("Node:Peers:0:Gids:0", "0x5"));

        var settings = options.ToFabricSettings([new PeerDefinition("default", [9UL])]);

        Assert.Equal("x", Assert.Single(settings.Peers).Name);
        Assert.Equal("default", Assert.Single(Load((NodeConfigurationKeys.Name, "n")).ToFabricSettings([new PeerDefinition("default", [9UL])]).Peers).Name);
    }
}
