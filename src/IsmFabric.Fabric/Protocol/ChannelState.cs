using System.Text.Json.Serialization;

namespace IsmFabric.Fabric.Protocol;

/// <summary>Where a channel is in its life.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ChannelState>))]
public enum ChannelState
{
    /// <summary>Negotiating (offer sent or being answered).</summary>
    [JsonStringEnumMemberName("opening")]
    Opening,

    /// <summary>Open: messages flow.</summary>
    [JsonStringEnumMemberName("open")]
    Open,

    /// <summary>Its path failed; moving to another route.</summary>
    [JsonStringEnumMemberName("failing-over")]
    FailingOver,

    /// <summary>Closing: delivering what was sent, then telling the peer.</summary>
    [JsonStringEnumMemberName("closing")]
    Closing,

    /// <summary>Closed normally.</summary>
    [JsonStringEnumMemberName("closed")]
    Closed,

    /// <summary>Ended by a failure (the reason says which).</summary>
    [JsonStringEnumMemberName("ended")]
    Ended,
}
