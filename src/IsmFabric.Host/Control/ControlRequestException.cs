namespace IsmFabric.Host.Control;

/// <summary>The node answered a control request with an error (<c>{"ok":false,"error":…}</c>).</summary>
public sealed class ControlRequestException : IOException
{
    /// <summary>Creates the exception with the node's error text.</summary>
    public ControlRequestException(string command, string error)
        : base($"the node could not answer '{command}': {error}")
    {
        Command = command;
        NodeError = error;
    }

    /// <summary>The command that failed.</summary>
    public string Command { get; }

    /// <summary>The error as the node wrote it.</summary>
    public string NodeError { get; }
}
