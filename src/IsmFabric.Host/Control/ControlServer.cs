using System.Buffers;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using IsmFabric.Fabric.Protocol;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Host.Control;

/// <summary>
/// The node's control socket: a UNIX domain socket answering <see cref="ControlProtocol"/> requests from the
/// <c>ismfabric</c> command. <see cref="Bind"/> claims the path (replacing a stale socket left by a killed node,
/// refusing one a living node still listens on); <see cref="Start"/> begins answering; disposing stops and removes
/// the socket file.
/// </summary>
public sealed class ControlServer : IAsyncDisposable
{
    private readonly Socket _listener;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _lock = new();
    private readonly HashSet<Task> _connections = [];
    private Task? _acceptLoop;
    private int _disposed;

    private ControlServer(string path, Socket listener, ILogger log)
    {
        Path = path;
        _listener = listener;
        _log = log;
    }

    /// <summary>The socket's path.</summary>
    public string Path { get; }

    /// <summary>
    /// Binds and listens on <paramref name="path"/>. A socket file nobody listens on is a leftover of a killed
    /// node and is replaced; one that answers belongs to a living node, and the bind fails with an
    /// <see cref="IOException"/>. Connections wait in the backlog until <see cref="Start"/>.
    /// </summary>
    public static ControlServer Bind(string path, ILogger log)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(log);
        path = System.IO.Path.GetFullPath(path);
        if (File.Exists(path))
        {
            if (IsListening(path))
            {
                throw new IOException($"a node is already listening on {path}; stop it first, or give this node another data directory or control socket");
            }

            // Socket files are empty; anything with content is not ours to delete.
            if (new FileInfo(path).Length != 0)
            {
                throw new IOException($"{path} exists and is not a socket; move it away or choose another control socket");
            }

            File.Delete(path);
            log.LogInformation("replaced the stale control socket {Socket} of a node that is gone", path);
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(64);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite);
            }
        }
        catch (SocketException e)
        {
            listener.Dispose();
            throw new IOException($"cannot listen on {path}: {e.Message}", e);
        }

        return new ControlServer(path, listener, log);
    }

    /// <summary>Whether a process accepts connections on the UNIX socket at <paramref name="path"/>.</summary>
    public static bool IsListening(string path)
    {
        using var probe = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            probe.Connect(new UnixDomainSocketEndPoint(path));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Starts answering requests from <paramref name="queries"/>.</summary>
    public void Start(IFabricNodeQueries queries)
    {
        ArgumentNullException.ThrowIfNull(queries);
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_acceptLoop is not null)
        {
            throw new InvalidOperationException("the control server is already started");
        }

        _acceptLoop = Task.Run(() => AcceptLoopAsync(queries));
        _log.LogInformation("control socket {Socket} answering", Path);
    }

    private async Task AcceptLoopAsync(IFabricNodeQueries queries)
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket client;
            try
            {
                client = await _listener.AcceptAsync(_stop.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (SocketException e)
            {
                _log.LogWarning("control socket {Socket}: accept failed: {Error}", Path, e.SocketErrorCode);
                continue;
            }

            var connection = ServeAsync(client, queries);
            lock (_lock)
            {
                _connections.Add(connection);
            }

            _ = connection.ContinueWith(
                t =>
                {
                    lock (_lock)
                    {
                        _connections.Remove(t);
                    }
                },
                CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(Socket client, IFabricNodeQueries queries)
    {
        await Task.Yield();
        using (client)
        await using (var stream = new NetworkStream(client, ownsSocket: false))
        {
            var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(leaveOpen: true));
            try
            {
                while (true)
                {
                    var read = await reader.ReadAsync(_stop.Token);
                    var buffer = read.Buffer;
                    while (TryTakeLine(ref buffer, out var line))
                    {
                        await AnswerAsync(stream, line, queries);
                    }

                    if (buffer.Length > ControlProtocol.MaxRequestBytes)
                    {
                        await WriteLineAsync(stream, ControlProtocol.Error($"request longer than {ControlProtocol.MaxRequestBytes} bytes without a newline; closing"));
                        return;
                    }

                    if (read.IsCompleted)
                    {
                        // A last request without its newline is still answered; the client may have shut down its side.
                        if (!buffer.IsEmpty)
                        {
                            await AnswerAsync(stream, Encoding.UTF8.GetString(buffer), queries);
                        }

                        return;
                    }

                    reader.AdvanceTo(buffer.Start, buffer.End);
                }
            }
            catch (OperationCanceledException)
            {
            }
            catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
            {
                _log.LogDebug("control socket {Socket}: connection ended: {Error}", Path, e.Message);
            }
            finally
            {
                await reader.CompleteAsync();
            }
        }
    }

    private static bool TryTakeLine(ref ReadOnlySequence<byte> buffer, out string line)
    {
        var newline = buffer.PositionOf((byte)'\n');
        if (newline is null)
        {
            line = "";
            return false;
        }

        line = Encoding.UTF8.GetString(buffer.Slice(0, newline.Value)).TrimEnd('\r');
        buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
        return true;
    }

    private async Task AnswerAsync(Stream stream, string line, IFabricNodeQueries queries)
    {
        if (string.IsNullOrWhiteSpace(line))
        {
            return;
        }

        var answer = await ControlProtocol.AnswerAsync(line, queries, _stop.Token);
        await WriteLineAsync(stream, answer);
    }

    private async Task WriteLineAsync(Stream stream, string json)
    {
        await stream.WriteAsync(Encoding.UTF8.GetBytes(json + "\n"), _stop.Token);
        await stream.FlushAsync(_stop.Token);
    }

    /// <summary>Stops answering, closes the connections and removes the socket file.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        _listener.Dispose();
        if (_acceptLoop is not null)
        {
            await _acceptLoop;
        }

        Task[] open;
        lock (_lock)
        {
            open = [.. _connections];
        }

        await Task.WhenAll(open).WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);
        try
        {
            File.Delete(Path);
        }
        catch (IOException e)
        {
            _log.LogWarning("control socket {Socket} could not be removed: {Error}", Path, e.Message);
        }

        _stop.Dispose();
        _log.LogInformation("control socket {Socket} removed", Path);
    }
}
