using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using IsmFabric.Fabric.Protocol;

namespace IsmFabric.Host.Control;

/// <summary>
/// Talks to a running node over its control socket (one connection per request). It answers the same queries
/// as the node itself, so the command line reads a remote node as if it held it.
/// </summary>
/// <param name="socketPath">The node's control socket.</param>
/// <param name="timeout">How long a request may take; 10 s when not given.</param>
public sealed class ControlClient(string socketPath, TimeSpan? timeout = null) : IFabricNodeQueries
{
    private readonly TimeSpan _timeout = timeout ?? TimeSpan.FromSeconds(10);

    /// <summary>The node's control socket.</summary>
    public string SocketPath { get; } = Path.GetFullPath(socketPath);

    /// <summary>
    /// Sends <paramref name="command"/> and returns the answer's <c>result</c>. Throws
    /// <see cref="NodeNotListeningException"/> when no node listens, <see cref="ControlRequestException"/> when the
    /// node answers with an error, <see cref="TimeoutException"/> when it does not answer in time.
    /// </summary>
    public async Task<JsonElement> RequestAsync(string command, CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(_timeout);
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            await socket.ConnectAsync(new UnixDomainSocketEndPoint(SocketPath), deadline.Token);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.ConnectionRefused or SocketError.AddressNotAvailable or SocketError.AddressFamilyNotSupported || !File.Exists(SocketPath))
        {
            throw new NodeNotListeningException(SocketPath, e);
        }
        catch (SocketException e)
        {
            throw new IOException($"cannot reach the node on {SocketPath}: {e.Message}", e);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the node on {SocketPath} did not accept a connection within {_timeout.TotalSeconds:0.#} s");
        }

        string? line;
        try
        {
            await using var stream = new NetworkStream(socket, ownsSocket: false);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(ControlProtocol.Request(command) + "\n"), deadline.Token);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            line = await reader.ReadLineAsync(deadline.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"the node on {SocketPath} did not answer '{command}' within {_timeout.TotalSeconds:0.#} s");
        }
        catch (SocketException e)
        {
            throw new IOException($"the node on {SocketPath} broke the connection: {e.Message}", e);
        }

        if (line is null)
        {
            throw new IOException($"the node on {SocketPath} closed the connection without answering '{command}' (is it stopping?)");
        }

        using var answer = ParseAnswer(line);
        var root = answer.RootElement;
        if (root.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.True && root.TryGetProperty("result", out var result))
        {
            return result.Clone();
        }

        var error = root.TryGetProperty("error", out var e2) && e2.ValueKind == JsonValueKind.String ? e2.GetString()! : $"unexpected answer {line}";
        throw new ControlRequestException(command, error);
    }

    private JsonDocument ParseAnswer(string line)
    {
        try
        {
            var document = JsonDocument.Parse(line);
            if (document.RootElement.ValueKind == JsonValueKind.Object)
            {
                return document;
            }

            document.Dispose();
        }
        catch (JsonException)
        {
        }

        throw new InvalidDataException($"the node on {SocketPath} answered something that is not a control answer: {line}");
    }

    /// <summary>Sends a request and reads its result as <typeparamref name="T"/>.</summary>
    public async Task<T> RequestAsync<T>(string command, CancellationToken cancellationToken)
    {
        var result = await RequestAsync(command, cancellationToken);
        return result.Deserialize<T>(ControlProtocol.Json)
            ?? throw new InvalidDataException($"the node on {SocketPath} answered '{command}' with null");
    }

    /// <inheritdoc />
    public Task<NodeStatus> GetStatusAsync(CancellationToken cancellationToken) => RequestAsync<NodeStatus>("status", cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<DeviceStatus>> GetDevicesAsync(CancellationToken cancellationToken) => RequestAsync<IReadOnlyList<DeviceStatus>>("devices", cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<PeerStatus>> GetPeersAsync(CancellationToken cancellationToken) => RequestAsync<IReadOnlyList<PeerStatus>>("peers", cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<ChannelStatus>> GetChannelsAsync(CancellationToken cancellationToken) => RequestAsync<IReadOnlyList<ChannelStatus>>("channels", cancellationToken);
}
