namespace IsmFabric.Fabric.Persistence;

/// <summary>Snapshot of the channel ledger: the counters and the channels open when it was taken.</summary>
/// <param name="Opened">Channels opened since the ledger began.</param>
/// <param name="Ended">Channels ended since the ledger began.</param>
/// <param name="Open">Channel id to peer name, for the channels open at the snapshot.</param>
public sealed record ChannelLedgerSnapshot(long Opened, long Ended, IReadOnlyDictionary<string, string> Open) : IFabricEvent
{
    /// <summary>The journal manifest of this version.</summary>
    public const string Manifest = "fabric.channel-ledger-snapshot.v1";
}
