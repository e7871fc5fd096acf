namespace IsmFabric.Fabric.Devices;

/// <summary>What the interrupt thread wakes when a peer signals a DMB: a channel's data plane.</summary>
internal interface IChannelWaker
{
    /// <summary>The peer signalled; called on the function's interrupt thread, must not block.</summary>
    void Wake();
}
