using Akka.Actor;
using IsmFabric.Fabric.Devices;
using IsmFabric.Ism;

namespace IsmFabric.Fabric.Protocol;

// The DMB lifecycle supervisor's protocol: owners (channels, services) allocate and free DMBs through it.

/// <summary>Allocate a DMB on function <paramref name="Fid"/> for the sender; <paramref name="Attempt"/> comes back with the answer.</summary>
internal sealed record AllocateDmb(uint Fid, int Size, Gid RemoteGid, long Attempt);

/// <summary>The DMB is the owner's until it frees it (or stops).</summary>
internal sealed record DmbAllocated(long Attempt, DmbHandle Handle, IActorRef Device);

/// <summary>No DMB: quota, no such device, the 1888 limit, or the device failed.</summary>
internal sealed record DmbAllocationFailed(long Attempt, string Reason);

/// <summary>The owner is done with a DMB (the peer can no longer write it).</summary>
internal sealed record FreeDmb(DmbToken Token);

/// <summary>The device carrying some of the owner's DMBs is gone; they are gone with it.</summary>
internal sealed record DeviceGone(uint Fid, string Reason);

/// <summary>How many DMBs are allocated on a device now (for the node's listings).</summary>
internal sealed record DeviceDmbs(uint Fid, int Count);
