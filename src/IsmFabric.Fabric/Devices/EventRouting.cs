using Akka.Actor;
using IsmFabric.Ism;

namespace IsmFabric.Fabric.Devices;

/// <summary>
/// Where a device's interrupt thread sends each IEQ event: negotiation to the channel negotiation supervisor, trouble
/// with a GID or a DMB to the failover coordinator, keepalive answers and GID trouble to the peer actor of that GID.
/// </summary>
/// <param name="Negotiation">The channel negotiation supervisor.</param>
/// <param name="Failover">The failover coordinator.</param>
/// <param name="Peers">The peer actor of each configured peer GID.</param>
internal sealed record EventRouting(IActorRef Negotiation, IActorRef Failover, IReadOnlyDictionary<Gid, IActorRef> Peers);
