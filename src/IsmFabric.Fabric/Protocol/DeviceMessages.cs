using Akka.Actor;
using IsmFabric.Ism;

namespace IsmFabric.Fabric.Protocol;

// The device actor's protocol. Small immutable records kept together: they are one conversation.

/// <summary>A device actor brought its function up.</summary>
public sealed record DeviceUp(FunctionDescriptor Function, ulong Gid, ushort Chid, IActorRef Device);

/// <summary>A device actor stopped (its function failed or the node is stopping).</summary>
public sealed record DeviceDown(FunctionDescriptor Function, string Reason);

/// <summary>An IEQ event drained by a device.</summary>
public sealed record DeviceEvent(uint Fid, ulong LocalGid, IsmEvent Event);

/// <summary>Asks a device for a DMB of <paramref name="Size"/> bytes that only <paramref name="RemoteGid"/> may write.</summary>
public sealed record RegisterDmb(IActorRef Owner, int Size, ulong RemoteGid);

/// <summary>The DMB was registered; its memory is the owner's to read.</summary>
public sealed record DmbGranted(Dmb Dmb, IActorRef Device, uint Fid, ulong LocalGid, ushort Chid);

/// <summary>No DMB: quota, the 1888 limit, or the device failed.</summary>
public sealed record DmbRefused(string Reason);

/// <summary>The owner is done with a DMB (the peer can no longer write it).</summary>
public sealed record ReleaseDmb(DmbToken Token);

/// <summary>A peer signalled one of the owner's DMBs.</summary>
public sealed record DmbSignalled(DmbToken Token);

/// <summary>The device carrying the owner's DMBs is gone; they are gone with it.</summary>
public sealed record DeviceGone(uint Fid, string Reason);

/// <summary>One store into a remote DMB.</summary>
public sealed record Store(int Offset, ReadOnlyMemory<byte> Data, bool Signal);

/// <summary>Stores into the remote DMB <paramref name="Target"/>, carried out in order.</summary>
public sealed record ExecuteStores(long Batch, DmbToken Target, IReadOnlyList<Store> Stores);

/// <summary>Every store of a batch landed.</summary>
public sealed record StoresDone(long Batch);

/// <summary>A store of a batch was refused; the rest were not tried.</summary>
public sealed record StoresFailed(long Batch, string Reason);

/// <summary>SIGNAL_IEQ to <paramref name="Target"/>.</summary>
public sealed record SendEvent(ulong Target, uint Code, ulong Info);

/// <summary>The answer to <see cref="SendEvent"/>.</summary>
public sealed record EventSent(ulong Target, uint Code, bool Ok, string? Error);

/// <summary>QUERY_RGID.</summary>
public sealed record QueryRemote(ulong Gid);

/// <summary>The answer to <see cref="QueryRemote"/>.</summary>
public sealed record RemoteAnswer(ulong Gid, bool Reachable);

/// <summary>How many DMBs a device holds now (for the node's listings).</summary>
public sealed record DeviceDmbs(uint Fid, int Count);
