using System.Text;

namespace IsmFabric.Actors;

/// <summary>The hierarchical, human-readable address of an actor: system name plus the names from the root down.</summary>
public sealed class ActorPath : IEquatable<ActorPath>
{
    private readonly string _text;

    private ActorPath(string systemName, ActorPath? parent, string name)
    {
        SystemName = systemName;
        Parent = parent;
        Name = name;
        _text = Build();
    }

    /// <summary>The name of the actor system the actor lives in.</summary>
    public string SystemName { get; }

    /// <summary>The parent's path, or null for the root.</summary>
    public ActorPath? Parent { get; }

    /// <summary>The last element of the path (the actor's name; empty for the root).</summary>
    public string Name { get; }

    /// <summary>The path elements below the root, e.g. ["user", "devices", "ism0"].</summary>
    public IReadOnlyList<string> Elements
    {
        get
        {
            var list = new List<string>();
            for (var p = this; p.Parent is not null; p = p.Parent)
            {
                list.Add(p.Name);
            }

            list.Reverse();
            return list;
        }
    }

    /// <summary>Creates the root path of a system.</summary>
    /// <param name="systemName">The actor system's name.</param>
    public static ActorPath Root(string systemName) => new(systemName, null, string.Empty);

    /// <summary>Whether two paths are equal.</summary>
    public static bool operator ==(ActorPath? left, ActorPath? right) => left is null ? right is null : left.Equals(right);

    /// <summary>Whether two paths differ.</summary>
    public static bool operator !=(ActorPath? left, ActorPath? right) => !(left == right);

    /// <summary>The path of a child named <paramref name="name"/> under <paramref name="parent"/>.</summary>
    public static ActorPath operator /(ActorPath parent, string name) => parent.Child(name);

    /// <summary>The path of a child named <paramref name="name"/> under this path.</summary>
    /// <param name="name">The child's name.</param>
    public ActorPath Child(string name) => new(SystemName, this, name);

    /// <inheritdoc />
    public bool Equals(ActorPath? other) => other is not null && string.Equals(_text, other._text, StringComparison.Ordinal);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ActorPath);

    /// <inheritdoc />
    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(_text);

    /// <summary>The path as text: <c>ism://system/user/a/b</c>.</summary>
    public override string ToString() => _text;

    private string Build()
    {
        var sb = new StringBuilder("ism://").Append(SystemName);
        var elements = Elements;
        if (elements.Count == 0)
        {
            return sb.Append('/').ToString();
        }

        foreach (var e in elements)
        {
            sb.Append('/').Append(e);
        }

        return sb.ToString();
    }
}
