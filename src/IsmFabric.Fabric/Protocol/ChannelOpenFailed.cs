namespace IsmFabric.Fabric.Protocol;

/// <summary>Opening a channel failed: declined, timed out, or no path.</summary>
/// <param name="Reason">Why.</param>
public sealed record ChannelOpenFailed(string Reason);
