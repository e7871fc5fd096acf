using IsmFabric.Ism;

namespace IsmFabric.Fabric.Protocol;

// What a device's interrupt thread sends straight to the actor an IEQ event concerns.

/// <summary>A channel negotiation message (a software event) that arrived on function <paramref name="Fid"/>.</summary>
internal sealed record NegotiationEvent(uint Fid, Gid LocalGid, IsmEvent Event);

/// <summary>A test-link response from a peer GID.</summary>
internal sealed record KeepaliveAnswer(Gid Gid, uint Sequence);

/// <summary>Firmware (or the peer, with SHUTDOWN) says a GID is gone.</summary>
internal sealed record GidDown(Gid Gid, string Reason);

/// <summary>Firmware says a DMB is gone (ours or the peer's).</summary>
internal sealed record DmbTrouble(DmbToken Token, string Reason);
