using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using IsmFabric.Host.Control;
using Microsoft.Extensions.Logging.Abstractions;

namespace IsmFabric.Host.Tests;

public sealed class ControlSocketTests : IAsyncDisposable
{
    // Short, so the socket path fits a UNIX socket address wherever TMPDIR points.
    private readonly string _dir = Directory.CreateTempSubdirectory("ismfh-").FullName;
    private readonly FakeNodeQueries _node = new();
    private readonly List<ControlServer> _servers = [];

    private string SocketPath => Path.Combine(_dir, "node.sock");

    public async ValueTask DisposeAsync()
    {
        foreach (var server in _servers)
        {
            await server.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    private ControlServer Serve(string? path = null)
    {
        var server = ControlServer.Bind(path ?? SocketPath, NullLogger.Instance);
        _servers.Add(server);
        server.Start(_node);
        return server;
    }

    /// <summary>Sends raw lines on one connection and reads one answer per line.</summary>
    private async Task<List<JsonElement>> Raw(params string[] lines)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
        await using var stream = new NetworkStream(socket);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var answers = new List<JsonElement>();
        foreach (var line in lines)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(line + "\n"));
            var answer = await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10));
            Assert.NotNull(answer);
            answers.Add(JsonDocument.Parse(answer).RootElement.Clone());
        }

        return answers;
    }

    private static string ErrorOf(JsonElement answer)
    {
        Assert.False(answer.GetProperty("ok").GetBoolean());
        return answer.GetProperty("error").GetString()!;
    }

    [Fact]
    public async Task Every_query_makes_the_round_trip_through_the_socket_unchanged()
    {
        Serve();
        var client = new ControlClient(SocketPath);

        var status = await client.GetStatusAsync(CancellationToken.None);
        var devices = await client.GetDevicesAsync(CancellationToken.None);
        var peers = await client.GetPeersAsync(CancellationToken.None);
        var channels = await client.GetChannelsAsync(CancellationToken.None);

        Assert.Equal(_node.Status, status);
        Assert.Equal(_node.Devices, devices);
        Assert.Equal(_node.Channels, channels);
        var peer = Assert.Single(peers);
        var expected = _node.Peers[0];
        Assert.Equal(expected with { Gids = peer.Gids, ReachableGids = peer.ReachableGids }, peer);
        Assert.Equal(expected.Gids, peer.Gids);
        Assert.Equal(expected.ReachableGids, peer.ReachableGids);
    }

    [Fact]
    public async Task Answers_are_snake_case_JSON_objects_with_ok_and_result()
    {
        Serve();

        var answer = Assert.Single(await Raw("""{"command":"status"}"""));

        Assert.True(answer.GetProperty("ok").GetBoolean());
        Assert.Equal(2, answer.GetProperty("result").GetProperty("devices_up").GetInt32());
        Assert.Equal("lpar1", answer.GetProperty("result").GetProperty("node").GetString());
    }

    [Fact]
    public async Task Malformed_requests_get_error_answers_and_the_connection_keeps_working()
    {
        Serve();

        var answers = await Raw("not json", "[1,2]", "{}", """{"command":42}""", """{"command":"reboot"}""", """{"command":"peers"}""");

        Assert.StartsWith("malformed request (", ErrorOf(answers[0]), StringComparison.Ordinal);
        Assert.StartsWith("malformed request: a JSON array, not an object", ErrorOf(answers[1]), StringComparison.Ordinal);
        Assert.StartsWith("malformed request: no string \"command\"", ErrorOf(answers[2]), StringComparison.Ordinal);
        Assert.StartsWith("malformed request: no string \"command\"", ErrorOf(answers[3]), StringComparison.Ordinal);
        Assert.Equal("unknown command 'reboot'; accepted: status, devices, peers, channels", ErrorOf(answers[4]));
        Assert.True(answers[5].GetProperty("ok").GetBoolean());
        Assert.Equal("lpar2", answers[5].GetProperty("result")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task A_request_longer_than_the_limit_is_refused_and_the_server_serves_the_next_client()
    {
        Serve();
        using (var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath));
            await using var stream = new NetworkStream(socket);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(new string('x', ControlProtocol.MaxRequestBytes + 10)));
            using var reader = new StreamReader(stream);
            var answer = JsonDocument.Parse((await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10)))!).RootElement;
            Assert.StartsWith($"request longer than {ControlProtocol.MaxRequestBytes} bytes", ErrorOf(answer), StringComparison.Ordinal);
            Assert.Null(await reader.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(10))); // closed
        }

        Assert.Equal(_node.Status, await new ControlClient(SocketPath).GetStatusAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_query_the_node_cannot_answer_becomes_an_error_for_the_client_not_a_crash()
    {
        Serve();
        _node.Failure = new TimeoutException("the node actor did not answer in 5 s");
        var client = new ControlClient(SocketPath);

        var e = await Assert.ThrowsAsync<ControlRequestException>(() => client.GetChannelsAsync(CancellationToken.None));

        Assert.Equal("channels failed: the node actor did not answer in 5 s", e.NodeError);
        _node.Failure = null;
        Assert.Equal(_node.Status, await client.GetStatusAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_client_asking_where_no_socket_exists_is_told_to_start_a_node()
    {
        var client = new ControlClient(SocketPath);

        var e = await Assert.ThrowsAsync<NodeNotListeningException>(() => client.GetStatusAsync(CancellationToken.None));

        Assert.Equal($"no node is listening on {SocketPath}: start one with 'ismfabric node run'", e.Message);
    }

    [Fact]
    public async Task A_client_asking_a_socket_left_by_a_dead_node_is_told_to_start_a_node()
    {
        LeaveStaleSocket(SocketPath);

        var e = await Assert.ThrowsAsync<NodeNotListeningException>(() => new ControlClient(SocketPath).GetStatusAsync(CancellationToken.None));

        Assert.Equal(SocketPath, e.SocketPath);
    }

    [Fact]
    public async Task A_stale_socket_file_of_a_killed_node_is_replaced()
    {
        LeaveStaleSocket(SocketPath);
        Assert.True(File.Exists(SocketPath));

        Serve();

        Assert.Equal(_node.Status, await new ControlClient(SocketPath).GetStatusAsync(CancellationToken.None));
    }

    [Fact]
    public async Task A_socket_a_living_node_listens_on_is_refused_and_that_node_keeps_serving()
    {
        Serve();

        var e = Assert.Throws<IOException>(() => ControlServer.Bind(SocketPath, NullLogger.Instance));

        Assert.StartsWith($"a node is already listening on {SocketPath}", e.Message, StringComparison.Ordinal);
        Assert.Equal(_node.Status, await new ControlClient(SocketPath).GetStatusAsync(CancellationToken.None));
    }

    [Fact]
    public void A_file_with_content_at_the_socket_path_is_not_deleted()
    {
        File.WriteAllText(SocketPath, "precious");

        var e = Assert.Throws<IOException>(() => ControlServer.Bind(SocketPath, NullLogger.Instance));

        Assert.Contains("exists and is not a socket", e.Message, StringComparison.Ordinal);
        Assert.Equal("precious", File.ReadAllText(SocketPath));
    }

    [Fact]
    public async Task Stopping_the_server_removes_the_socket_file_and_clients_then_hear_nobody()
    {
        var server = Serve();
        Assert.True(File.Exists(SocketPath));

        await server.DisposeAsync();

        Assert.False(File.Exists(SocketPath));
        await Assert.ThrowsAsync<NodeNotListeningException>(() => new ControlClient(SocketPath).GetStatusAsync(CancellationToken.None));
    }

    [Fact]
    public async Task Requests_wait_in_the_backlog_until_the_server_starts_answering()
    {
        var server = ControlServer.Bind(SocketPath, NullLogger.Instance);
        _servers.Add(server);
        var pending = new ControlClient(SocketPath).GetStatusAsync(CancellationToken.None);
        await Task.Delay(100);
        Assert.False(pending.IsCompleted);

        server.Start(_node);

        Assert.Equal(_node.Status, await pending.WaitAsync(TimeSpan.FromSeconds(10)));
    }

    [Fact]
    public async Task A_node_that_accepts_but_never_answers_times_out_the_client()
    {
        var server = ControlServer.Bind(SocketPath, NullLogger.Instance); // bound, never started
        _servers.Add(server);

        var e = await Assert.ThrowsAsync<TimeoutException>(() => new ControlClient(SocketPath, TimeSpan.FromMilliseconds(300)).GetStatusAsync(CancellationToken.None));

        Assert.Contains("did not answer 'status'", e.Message, StringComparison.Ordinal);
    }

    private static void LeaveStaleSocket(string path)
    {
        // What a SIGKILLed node leaves: a socket file with no process behind it. Not through Socket, whose
        // Dispose removes the file it bound.
        var fd = NativeSocket.Socket(1 /* AF_UNIX */, 1 /* SOCK_STREAM */, 0);
        Assert.True(fd >= 0);
        var address = new byte[110];
        address[0] = 1; // sun_family = AF_UNIX (little-endian sa_family_t)
        var bytes = Encoding.UTF8.GetBytes(path);
        bytes.CopyTo(address, 2);
        Assert.Equal(0, NativeSocket.Bind(fd, address, 2 + bytes.Length + 1));
        Assert.Equal(0, NativeSocket.Close(fd));
    }
}
