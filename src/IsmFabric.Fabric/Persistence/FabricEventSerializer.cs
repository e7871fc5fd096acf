using System.Runtime.Serialization;
using System.Text.Json;
using Akka.Actor;
using Akka.Serialization;

namespace IsmFabric.Fabric.Persistence;

/// <summary>
/// Serializes what the node journals as UTF-8 JSON under versioned manifests such as <c>fabric.channel-opened.v1</c>:
/// the journal never holds a CLR type name, so types can be renamed and moved freely. A manifest this build does not
/// know fails recovery with an error that names it.
/// </summary>
public sealed class FabricEventSerializer(ExtendedActorSystem system) : SerializerWithStringManifest(system)
{
    /// <summary>The serializer's id in Akka's registry (outside Akka's reserved 0..100).</summary>
    public const int Id = 7401;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private static readonly IReadOnlyDictionary<Type, string> Manifests = new Dictionary<Type, string>
    {
        [typeof(ChannelOpened)] = ChannelOpened.Manifest,
        [typeof(ChannelEnded)] = ChannelEnded.Manifest,
        [typeof(ChannelLedgerSnapshot)] = ChannelLedgerSnapshot.Manifest,
    };

    /// <inheritdoc />
    public override int Identifier => Id;

    /// <summary>Every manifest this build reads.</summary>
    public static IReadOnlyCollection<string> KnownManifests => Manifests.Values.ToList();

    /// <inheritdoc />
    public override string Manifest(object o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return Manifests.TryGetValue(o.GetType(), out var manifest)
            ? manifest
            : throw new SerializationException($"{o.GetType().Name} is not a journaled fabric event");
    }

    /// <inheritdoc />
    public override byte[] ToBinary(object obj) => JsonSerializer.SerializeToUtf8Bytes(obj, obj.GetType(), Json);

    /// <inheritdoc />
    public override object FromBinary(byte[] bytes, string manifest) => manifest switch
    {
        ChannelOpened.Manifest => Read<ChannelOpened>(bytes, manifest),
        ChannelEnded.Manifest => Read<ChannelEnded>(bytes, manifest),
        ChannelLedgerSnapshot.Manifest => Read<ChannelLedgerSnapshot>(bytes, manifest),
        _ => throw new SerializationException(
            $"unknown journal manifest '{manifest}': this build reads {string.Join(", ", KnownManifests)} (was the journal written by a newer IsmFabric?)"),
    };

    private static T Read<T>(byte[] bytes, string manifest)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(bytes, Json) ?? throw new SerializationException($"'{manifest}': the event is empty");
        }
        catch (JsonException e)
        {
            throw new SerializationException($"'{manifest}': the stored event is malformed: {e.Message}", e);
        }
    }
}
