using Akka.Actor;
using IsmFabric.Ism;

namespace IsmFabric.Fabric.Protocol;

/// <summary>One way to reach a peer: a local device (up) and the peer GID on the same CHID, as QUERY_RGID found it.</summary>
/// <param name="Fid">The local function.</param>
/// <param name="Device">Its device actor.</param>
/// <param name="LocalGid">The local function's GID.</param>
/// <param name="Chid">The CHID both are on.</param>
/// <param name="PeerGid">The peer's GID on that CHID.</param>
public sealed record ChannelRoute(uint Fid, IActorRef Device, Gid LocalGid, Chid Chid, Gid PeerGid);
