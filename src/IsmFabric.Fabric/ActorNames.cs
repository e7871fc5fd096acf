namespace IsmFabric.Fabric;

/// <summary>Turns operator-chosen names (nodes, peers) into valid Akka actor and actor-system name parts.</summary>
internal static class ActorNames
{
    /// <summary><paramref name="name"/> with every character other than ASCII letters, digits and '-' replaced by '-'.</summary>
    internal static string Safe(string name) => new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c == '-' ? c : '-').ToArray());
}
