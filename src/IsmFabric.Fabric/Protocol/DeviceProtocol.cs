using Akka.Actor;
using IsmFabric.Fabric.Devices;
using IsmFabric.Ism;

namespace IsmFabric.Fabric.Protocol;

// The device actor's protocol: small immutable records kept together, they are one conversation.

/// <summary>A device actor brought its function up.</summary>
public sealed record DeviceUp(FunctionDescriptor Function, Gid Gid, Chid Chid, IActorRef Device);

/// <summary>A device actor stopped (its function failed or the node is stopping); every DMB on it is gone.</summary>
public sealed record DeviceDown(FunctionDescriptor Function, string Reason);

/// <summary>Asks a device for a DMB of <paramref name="Size"/> bytes that only <paramref name="RemoteGid"/> may write (from the DMB supervisor).</summary>
internal sealed record RegisterDmb(long Request, int Size, Gid RemoteGid);

/// <summary>The DMB was registered; the handle is the data plane's way in.</summary>
internal sealed record DmbRegistered(long Request, DmbHandle Handle);

/// <summary>No DMB: the 1888 limit, or the device failed.</summary>
internal sealed record DmbNotRegistered(long Request, string Reason);

/// <summary>Unregister a DMB once its users have left (from the DMB supervisor).</summary>
internal sealed record ReleaseDmb(DmbToken Token);

/// <summary>SIGNAL_IEQ to <paramref name="Target"/>.</summary>
public sealed record SendEvent(Gid Target, uint Code, ulong Info);

/// <summary>The answer to <see cref="SendEvent"/>.</summary>
public sealed record EventSent(Gid Target, uint Code, bool Ok, string? Error);

/// <summary>QUERY_RGID.</summary>
public sealed record QueryRemote(Gid Gid);

/// <summary>The answer to <see cref="QueryRemote"/>.</summary>
public sealed record RemoteAnswer(Gid Gid, bool Reachable);

/// <summary>A move through the device failed: the device checks whether its function is still healthy.</summary>
internal sealed record CheckHealth(string Why);
