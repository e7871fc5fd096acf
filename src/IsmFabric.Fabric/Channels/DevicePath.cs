using IsmFabric.Channels;
using IsmFabric.Fabric.Devices;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Ism;

namespace IsmFabric.Fabric.Channels;

/// <summary>
/// A channel path over a route: our DMB (read in place) and the peer's DMB written by moves through our DMB's
/// function. Used only inside the DMB's gate (the data plane enters it around every use).
/// </summary>
internal sealed class DevicePath(ChannelRoute route, DmbHandle local, DmbToken remote, int remoteSize) : IChannelPath
{
    /// <summary>The route (function and peer GID).</summary>
    public ChannelRoute Route { get; } = route;

    /// <summary>Our DMB.</summary>
    public DmbHandle Handle { get; } = local;

    /// <summary>The peer's DMB.</summary>
    public DmbToken Remote { get; } = remote;

    /// <inheritdoc />
    public Span<byte> Local => Handle.Memory;

    /// <inheritdoc />
    public int RemoteSize { get; } = remoteSize;

    /// <inheritdoc />
    public void WriteRemote(int offset, ReadOnlySpan<byte> data, bool signal) => Handle.Move(Remote, offset, data, signal);
}
