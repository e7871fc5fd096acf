namespace IsmFabric.Channels;

/// <summary>The peer broke the channel protocol (cursor beyond the ring, garbage frame, sequence gap); the channel must be closed.</summary>
public sealed class ChannelProtocolException(string message) : Exception(message);
