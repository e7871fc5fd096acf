namespace IsmFabric.Fabric;

/// <summary>The kinds of <see cref="ChannelNotice"/>.</summary>
public enum ChannelNoticeKind
{
    /// <summary>The path failed; the channel is moving to another function.</summary>
    FailingOver,

    /// <summary>The channel runs on a new path; nothing was lost or repeated.</summary>
    FailedOver,

    /// <summary>The channel closed normally.</summary>
    Closed,

    /// <summary>The channel failed (no ISM path left, the peer broke the protocol, …).</summary>
    Failed,
}
