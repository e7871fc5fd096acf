namespace IsmFabric.Fabric;

/// <summary>How a node names a channel: the peer, who initiated it, and the initiator's 24-bit number.</summary>
/// <param name="Peer">The peer's configured name.</param>
/// <param name="LocalInitiator">True when this node opened it.</param>
/// <param name="Number">The initiator's channel number.</param>
internal sealed record ChannelKey(string Peer, bool LocalInitiator, uint Number);
