using System.Collections.Concurrent;
using System.Text.Json;

namespace IsmFabric.Persistence;

/// <summary>
/// The explicit map between stored type names with versions and CLR types, for events and snapshots. Nothing is
/// found by reflection over assemblies and no CLR type name is ever stored: renaming a class does not break the
/// journal, and an old version stays readable by keeping its CLR type registered under its old version. Payloads
/// are System.Text.Json (UTF-8).
/// </summary>
public sealed class EventTypeRegistry
{
    private readonly ConcurrentDictionary<(string Name, int Version), Type> _byName = new();
    private readonly ConcurrentDictionary<Type, (string Name, int Version)> _byType = new();

    /// <summary>Creates a registry whose payloads use <paramref name="jsonOptions"/> (default: web defaults).</summary>
    /// <param name="jsonOptions">Serializer options, e.g. with a source-generated resolver.</param>
    public EventTypeRegistry(JsonSerializerOptions? jsonOptions = null) =>
        JsonOptions = jsonOptions ?? new JsonSerializerOptions(JsonSerializerDefaults.Web);

    /// <summary>The serializer options of the payloads.</summary>
    public JsonSerializerOptions JsonOptions { get; }

    /// <summary>Maps <typeparamref name="T"/> to <paramref name="typeName"/> at <paramref name="version"/>; both directions must be unique.</summary>
    /// <typeparam name="T">The event or state type.</typeparam>
    /// <param name="typeName">The stable stored name, e.g. "device-added".</param>
    /// <param name="version">The schema version, from 1.</param>
    /// <returns>This registry, for chaining.</returns>
    public EventTypeRegistry Register<T>(string typeName, int version = 1)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(typeName);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        if (!_byName.TryAdd((typeName, version), typeof(T)))
        {
            throw new ArgumentException($"'{typeName}' version {version} is already registered to {_byName[(typeName, version)].Name}", nameof(typeName));
        }

        if (!_byType.TryAdd(typeof(T), (typeName, version)))
        {
            _byName.TryRemove((typeName, version), out _);
            throw new ArgumentException($"{typeof(T).Name} is already registered as '{_byType[typeof(T)].Name}' version {_byType[typeof(T)].Version}", nameof(typeName));
        }

        return this;
    }

    /// <summary>Whether <paramref name="type"/> is registered.</summary>
    /// <param name="type">The CLR type.</param>
    /// <returns>True when registered.</returns>
    public bool IsRegistered(Type type) => _byType.ContainsKey(type);

    /// <summary>Serializes <paramref name="value"/> under its registered name and version.</summary>
    /// <param name="value">The event or state.</param>
    /// <returns>Name, version and UTF-8 JSON payload.</returns>
    /// <exception cref="UnknownEventTypeException">Its type is not registered.</exception>
    public (string TypeName, int TypeVersion, byte[] Payload) Serialize(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var type = value.GetType();
        if (!_byType.TryGetValue(type, out var key))
        {
            throw new UnknownEventTypeException($"{type.FullName} is not registered in the EventTypeRegistry");
        }

        return (key.Name, key.Version, JsonSerializer.SerializeToUtf8Bytes(value, type, JsonOptions));
    }

    /// <summary>Deserializes a stored payload by its type name and version.</summary>
    /// <param name="typeName">The stored type name.</param>
    /// <param name="typeVersion">The stored version.</param>
    /// <param name="payload">The UTF-8 JSON.</param>
    /// <returns>The event or state.</returns>
    /// <exception cref="UnknownEventTypeException">No type is registered under that name and version.</exception>
    public object Deserialize(string typeName, int typeVersion, ReadOnlySpan<byte> payload)
    {
        if (!_byName.TryGetValue((typeName, typeVersion), out var type))
        {
            throw new UnknownEventTypeException($"No type is registered as '{typeName}' version {typeVersion}");
        }

        return JsonSerializer.Deserialize(payload, type, JsonOptions)
            ?? throw new JsonException($"'{typeName}' version {typeVersion} deserialized to null");
    }
}
