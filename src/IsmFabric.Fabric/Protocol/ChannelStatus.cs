namespace IsmFabric.Fabric.Protocol;

/// <summary>One channel (<c>ismfabric channels</c>).</summary>
/// <param name="Id">Channel id (initiator GID and 24-bit number, as text).</param>
/// <param name="Peer">Peer name.</param>
/// <param name="State">Where the channel is in its life.</param>
/// <param name="Device">The local function carrying it now.</param>
/// <param name="PathEpoch">Path generation (failovers so far).</param>
/// <param name="MessagesSent">Messages sent.</param>
/// <param name="MessagesReceived">Messages received.</param>
/// <param name="BytesSent">Payload bytes sent.</param>
/// <param name="BytesReceived">Payload bytes received.</param>
/// <param name="Reason">Why it closed or failed, when it did.</param>
public sealed record ChannelStatus(
    string Id, string Peer, ChannelState State, string Device, uint PathEpoch, long MessagesSent, long MessagesReceived,
    long BytesSent, long BytesReceived, string? Reason);
