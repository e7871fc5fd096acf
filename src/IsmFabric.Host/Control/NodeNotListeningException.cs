namespace IsmFabric.Host.Control;

/// <summary>No node listens on the control socket the command line tried (none started, or it stopped).</summary>
public sealed class NodeNotListeningException : IOException
{
    /// <summary>Creates the exception for <paramref name="socketPath"/>, saying how to start a node.</summary>
    public NodeNotListeningException(string socketPath, Exception? inner = null)
        : base($"no node is listening on {socketPath}: start one with 'ismfabric node run'", inner)
    {
        SocketPath = socketPath;
    }

    /// <summary>The socket path that nobody answered on.</summary>
    public string SocketPath { get; }
}
