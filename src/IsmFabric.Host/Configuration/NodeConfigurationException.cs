namespace IsmFabric.Host.Configuration;

/// <summary>A configuration value the node cannot run with; the message names the key and what it accepts.</summary>
public sealed class NodeConfigurationException : Exception
{
    /// <summary>Creates the exception for <paramref name="key"/> with a message that says what is accepted.</summary>
    public NodeConfigurationException(string key, string problem)
        : base($"{key}: {problem}")
    {
        Key = key;
    }

    /// <summary>The configuration key at fault, e.g. <c>Node:KeepaliveIntervalMs</c>.</summary>
    public string Key { get; }
}
