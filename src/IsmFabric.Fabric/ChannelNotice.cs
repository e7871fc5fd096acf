namespace IsmFabric.Fabric;

/// <summary>Something a channel's user should know: it moved to another function, or it is ending.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Detail">A sentence for logs.</param>
/// <param name="At">When.</param>
public sealed record ChannelNotice(ChannelNoticeKind Kind, string Detail, DateTimeOffset At);
