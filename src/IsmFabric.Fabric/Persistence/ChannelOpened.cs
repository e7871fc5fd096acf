namespace IsmFabric.Fabric.Persistence;

/// <summary>Journaled: a channel opened.</summary>
/// <param name="Id">The channel id.</param>
/// <param name="Peer">The peer's name.</param>
/// <param name="At">When.</param>
public sealed record ChannelOpened(string Id, string Peer, DateTimeOffset At) : IFabricEvent
{
    /// <summary>The journal manifest of this version.</summary>
    public const string Manifest = "fabric.channel-opened.v1";
}
