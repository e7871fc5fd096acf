namespace IsmFabric.Fabric;

/// <summary>The channel ended, or could not be opened; the message says why (e.g. "no ISM path to peer lpar2 remains").</summary>
public sealed class ChannelClosedException(string reason) : Exception(reason);
