namespace IsmFabric.Fabric.Persistence;

/// <summary>Journaled: a channel ended, and why.</summary>
/// <param name="Id">The channel id.</param>
/// <param name="Reason">Why it ended.</param>
/// <param name="At">When.</param>
public sealed record ChannelEnded(string Id, string Reason, DateTimeOffset At) : IFabricEvent
{
    /// <summary>The journal manifest of this version.</summary>
    public const string Manifest = "fabric.channel-ended.v1";
}
