namespace IsmFabric.Fabric.Protocol;

/// <summary>A channel actor's latest status, for the node's listings.</summary>
internal sealed record ChannelReport(ChannelKey Key, ChannelStatus Status);
