using Akka.Actor;
using IsmFabric.Channels;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Ism;

namespace IsmFabric.Fabric;

/// <summary>
/// A channel path whose writes are collected and handed to the device actor as one ordered batch: only the device
/// actor touches the function's BARs. Reading our own DMB is a read of local memory and needs no device.
/// </summary>
internal sealed class DeviceStorePath(ChannelRoute route, Dmb local, DmbToken remote, int remoteSize) : IChannelPath
{
    private List<Store> _pending = [];

    public ChannelRoute Route { get; } = route;

    public Dmb LocalDmb { get; } = local;

    public DmbToken RemoteToken { get; } = remote;

    public Span<byte> Local => LocalDmb.Memory;

    public int RemoteSize { get; } = remoteSize;

    public bool HasPending => _pending.Count > 0;

    public void WriteRemote(int offset, ReadOnlyMemory<byte> data, bool signal) => _pending.Add(new Store(offset, data, signal));

    /// <summary>Sends what was written since the last call to the device, as one batch.</summary>
    public void Dispatch(long batch, IActorRef replyTo)
    {
        if (_pending.Count == 0)
        {
            return;
        }

        var stores = _pending;
        _pending = [];
        Route.Device.Tell(new ExecuteStores(batch, RemoteToken, stores), replyTo);
    }
}
