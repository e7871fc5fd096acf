namespace IsmFabric.Fabric.Protocol;

/// <summary>What a running node answers to its operator (the control socket serves these).</summary>
public interface IFabricNodeQueries
{
    /// <summary>The node at a glance.</summary>
    Task<NodeStatus> GetStatusAsync(CancellationToken cancellationToken);

    /// <summary>Its devices.</summary>
    Task<IReadOnlyList<DeviceStatus>> GetDevicesAsync(CancellationToken cancellationToken);

    /// <summary>Its peers.</summary>
    Task<IReadOnlyList<PeerStatus>> GetPeersAsync(CancellationToken cancellationToken);

    /// <summary>Its channels.</summary>
    Task<IReadOnlyList<ChannelStatus>> GetChannelsAsync(CancellationToken cancellationToken);
}
