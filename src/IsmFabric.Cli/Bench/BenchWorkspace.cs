using System.Diagnostics;
using IsmFabric.Cli.Agent;
using IsmFabric.Emulation;

namespace IsmFabric.Cli.Bench;

/// <summary>
/// What a multi-process benchmark stands on: a fresh emulated CEC in a temporary directory, a peer ismfabric process
/// on lpar2 spoken to line by line, and scratch files in shared memory. Disposing, or cancelling the token it was
/// started with (Ctrl-C: the command line gives a cancelled command two seconds), kills a peer that still runs and
/// removes the CEC and the scratch files.
/// </summary>
internal sealed class BenchWorkspace : IDisposable
{
    private readonly Lock _lock = new();
    private readonly List<string> _scratch = [];
    private CancellationTokenRegistration _onCancel;
    private bool _removed;

    private BenchWorkspace(string directory, CecDefinition definition, Process peer)
    {
        Directory = directory;
        Definition = definition;
        Peer = peer;
        Io = new LineChannel(peer.StandardOutput.BaseStream, peer.StandardInput.BaseStream);
    }

    internal string Directory { get; }

    internal CecDefinition Definition { get; }

    internal Process Peer { get; }

    /// <summary>The peer's stdout (input) and stdin (output).</summary>
    internal LineChannel Io { get; }

    /// <summary>Creates the CEC and starts <c>ismfabric agent <paramref name="peerAgent"/> --cec DIR --lpar lpar2 <paramref name="peerOptions"/></c>.</summary>
    internal static BenchWorkspace Start(string name, CecDefinition definition, string peerAgent, Action<string> progress, CancellationToken ct, params string[] peerOptions)
    {
        ct.ThrowIfCancellationRequested();
        var directory = Path.Combine(Path.GetTempPath(), $"ismfabric-{name}-" + Guid.NewGuid().ToString("n")[..8]);
        EmulatedCec.Create(directory, definition).Dispose();
        progress($"emulated CEC in {directory}; starting the peer process on lpar2");
        Process? peer = null;
        try
        {
            peer = Process.Start(SelfProcess.StartInfo(["agent", peerAgent, "--cec", directory, "--lpar", "lpar2", .. peerOptions]))
                ?? throw new IOException("could not start the peer process");
            var workspace = new BenchWorkspace(directory, definition, peer);
            workspace._onCancel = ct.UnsafeRegister(static w => ((BenchWorkspace)w!).Remove(), workspace);
            return workspace;
        }
        catch
        {
            if (peer is { HasExited: false })
            {
                peer.Kill();
            }

            peer?.Dispose();
            RemoveDirectory(directory);
            throw;
        }
    }

    /// <summary>
    /// A path for a scratch file in shared memory (/dev/shm, the temporary directory where there is none), removed
    /// with the workspace if it still exists then.
    /// </summary>
    internal string ScratchFile(string name)
    {
        var directory = System.IO.Directory.Exists("/dev/shm") ? "/dev/shm" : Path.GetTempPath();
        var path = Path.Combine(directory, $"ismfabric-{name}-" + Guid.NewGuid().ToString("n")[..8]);
        lock (_lock)
        {
            if (_removed)
            {
                throw new OperationCanceledException("the workspace was removed (cancelled)");
            }

            _scratch.Add(path);
        }

        return path;
    }

    /// <summary>Fails with the peer's last "ERROR …" line (or its exit code) if the peer process has ended.</summary>
    internal void ThrowIfPeerEnded()
    {
        if (!Peer.HasExited)
        {
            return;
        }

        string? error = null;
        while (Io.Receive() is { } line)
        {
            if (line.StartsWith("ERROR", StringComparison.Ordinal))
            {
                error = line;
            }
        }

        throw new InvalidDataException(error is null
            ? $"the peer process ended with exit code {Peer.ExitCode}"
            : $"the peer process failed: {error}");
    }

    public void Dispose()
    {
        _onCancel.Dispose(); // waits for a cancellation's removal that is under way
        Remove();
        Peer.Dispose();
    }

    /// <summary>Kills the peer and removes the CEC and the scratch files; safe to call again (the CEC is removed again).</summary>
    private void Remove()
    {
        lock (_lock)
        {
            _removed = true;
            try
            {
                if (!Peer.HasExited)
                {
                    Peer.Kill();
                    Peer.WaitForExit(TimeSpan.FromSeconds(1));
                }
            }
            catch (InvalidOperationException)
            {
                // it exited meanwhile
            }

            foreach (var file in _scratch)
            {
                File.Delete(file); // no error when it is gone already
            }

            RemoveDirectory(Directory);
        }
    }

    private static void RemoveDirectory(string directory)
    {
        // Our own node may still be tidying up (a repair probing the lock of the LPAR that just died creates its lock
        // file again): try a few times.
        for (var attempt = 0; attempt < 5; attempt++)
        {
            try
            {
                System.IO.Directory.Delete(directory, true);
                return;
            }
            catch (DirectoryNotFoundException)
            {
                return;
            }
            catch (IOException)
            {
                Thread.Sleep(20);
            }
        }
    }
}
