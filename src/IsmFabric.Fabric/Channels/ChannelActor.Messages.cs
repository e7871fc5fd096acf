using IsmFabric.Channels;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Ism;

namespace IsmFabric.Fabric.Channels;

/// <summary>The channel actor's own messages: from the negotiation supervisor, its data plane, its user and its timers.</summary>
internal sealed partial class ChannelActor
{
    /// <summary>A negotiation message for this channel, routed by the negotiation supervisor.</summary>
    internal sealed record Negotiation(NegotiationMessage Message, Gid FromGid, uint ViaFid, ChannelRoute? Route);

    /// <summary>A store on the current path failed (from the data plane).</summary>
    internal sealed record PathFailed(uint Epoch, string Reason);

    /// <summary>The peer wrote something the protocol does not allow (from the data plane).</summary>
    internal sealed record ProtocolViolation(string Problem);

    /// <summary>The peer's control block says it is closing (from the data plane).</summary>
    internal sealed class PeerClosing
    {
        internal static readonly PeerClosing Instance = new();
    }

    /// <summary>Our reader has read everything the peer sent before closing (from the data plane).</summary>
    internal sealed class ReaderAtEnd
    {
        internal static readonly ReaderAtEnd Instance = new();
    }

    /// <summary>The user asked to close.</summary>
    internal sealed class CloseRequested
    {
        internal static readonly CloseRequested Instance = new();
    }

    /// <summary>The node is stopping.</summary>
    internal sealed class ShutdownChannel
    {
        internal static readonly ShutdownChannel Instance = new();
    }

    private sealed record NegotiationTimedOut(int Attempt, uint Epoch);

    private sealed record FailoverDeadline(uint Epoch);

    private sealed class CloseTimedOut
    {
        internal static readonly CloseTimedOut Instance = new();
    }

    private sealed class PeerDrainTimedOut
    {
        internal static readonly PeerDrainTimedOut Instance = new();
    }

    private sealed class DrainTick
    {
        internal static readonly DrainTick Instance = new();
    }

    private sealed class ClaimTimedOut
    {
        internal static readonly ClaimTimedOut Instance = new();
    }

    private sealed class ReportTick
    {
        internal static readonly ReportTick Instance = new();
    }
}
