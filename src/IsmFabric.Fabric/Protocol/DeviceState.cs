using System.Text.Json.Serialization;

namespace IsmFabric.Fabric.Protocol;

/// <summary>Where a node's device (one ISM function) is in its life.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeviceState>))]
public enum DeviceState
{
    /// <summary>Discovered, not brought up yet.</summary>
    [JsonStringEnumMemberName("starting")]
    Starting,

    /// <summary>Up: registered with the function, interrupts flowing.</summary>
    [JsonStringEnumMemberName("up")]
    Up,

    /// <summary>Failed; its supervisor brings it up again after a backoff.</summary>
    [JsonStringEnumMemberName("restarting")]
    Restarting,

    /// <summary>Stopped with the node.</summary>
    [JsonStringEnumMemberName("stopped")]
    Stopped,
}
