using System.Diagnostics;
using IsmFabric.Cli.Agent;
using IsmFabric.Emulation;

namespace IsmFabric.Cli.Bench;

/// <summary>
/// What a multi-process benchmark stands on: a fresh emulated CEC in a temporary directory and a peer ismfabric
/// process on lpar2, spoken to line by line; disposing kills a peer that is still running and removes the CEC.
/// </summary>
internal sealed class BenchWorkspace : IDisposable
{
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

    /// <summary>Creates the CEC and starts <c>ismfabric agent <paramref name="peerAgent"/> --cec DIR --lpar lpar2</c>.</summary>
    internal static BenchWorkspace Start(string name, CecDefinition definition, string peerAgent, Action<string> progress)
    {
        var directory = Path.Combine(Path.GetTempPath(), $"ismfabric-{name}-" + Guid.NewGuid().ToString("n")[..8]);
        EmulatedCec.Create(directory, definition).Dispose();
        progress($"emulated CEC in {directory}; starting the peer process on lpar2");
        Process? peer = null;
        try
        {
            peer = Process.Start(SelfProcess.StartInfo("agent", peerAgent, "--cec", directory, "--lpar", "lpar2"))
                ?? throw new IOException("could not start the peer process");
            return new BenchWorkspace(directory, definition, peer);
        }
        catch
        {
            peer?.Dispose();
            Remove(directory);
            throw;
        }
    }

    public void Dispose()
    {
        if (!Peer.HasExited)
        {
            Peer.Kill();
        }

        Peer.Dispose();
        Remove(Directory);
    }

    private static void Remove(string directory)
    {
        try
        {
            System.IO.Directory.Delete(directory, true);
        }
        catch (IOException)
        {
            // already gone, or a file still held by a process that is exiting: the temp directory is cleaned later
        }
    }
}
