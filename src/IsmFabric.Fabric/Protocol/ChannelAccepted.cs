namespace IsmFabric.Fabric.Protocol;

/// <summary>A peer opened a channel to this node; it goes to the node's accept queue.</summary>
internal sealed record ChannelAccepted(IFabricChannel Channel);
