using Akka.Actor;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Ism;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric.Dmbs;

/// <summary>
/// The life of every DMB on the node: owners (channels, services) allocate on a function and free through it; it
/// enforces a quota per owner, watches owners and frees everything of one that stops for any reason, and tells
/// owners when a device took their DMBs with it. Only the device touches the DMB; an owner frees a DMB once the peer
/// can no longer write it (the channel protocol decides when).
/// </summary>
internal sealed class DmbSupervisor : ReceiveActor
{
    private readonly FabricNodeSettings _settings;
    private readonly IActorRef _node;
    private readonly ILogger _log;
    private readonly Dictionary<uint, IActorRef> _devices = [];
    private readonly Dictionary<DmbToken, Allocation> _allocated = [];
    private readonly Dictionary<long, Pending> _pending = [];
    private readonly Dictionary<IActorRef, int> _perOwner = [];
    private long _nextRequest;

    public DmbSupervisor(FabricNodeSettings settings, IActorRef node, ILogger log)
    {
        _settings = settings;
        _node = node;
        _log = log;
        Receive<AllocateDmb>(OnAllocate);
        Receive<DmbRegistered>(OnRegistered);
        Receive<DmbNotRegistered>(OnNotRegistered);
        Receive<FreeDmb>(f => Free(f.Token, Sender));
        Receive<DeviceUp>(up => _devices[up.Function.Fid] = up.Device);
        Receive<DeviceDown>(OnDeviceDown);
        Receive<Terminated>(t => OwnerStopped(t.ActorRef));
    }

    private void OnAllocate(AllocateDmb request)
    {
        var owner = Sender;
        var held = _perOwner.GetValueOrDefault(owner);
        if (held >= _settings.DmbQuotaPerOwner)
        {
            owner.Tell(new DmbAllocationFailed(request.Attempt, $"{owner.Path.Name} already holds {held} DMBs (quota {_settings.DmbQuotaPerOwner})"));
            return;
        }

        if (!_devices.TryGetValue(request.Fid, out var device))
        {
            owner.Tell(new DmbAllocationFailed(request.Attempt, $"function 0x{request.Fid:x} is not up"));
            return;
        }

        var id = ++_nextRequest;
        _pending[id] = new Pending(owner, request.Fid, request.Attempt, device);
        Count(owner, +1);
        device.Tell(new RegisterDmb(id, request.Size, request.RemoteGid));
    }

    private void OnRegistered(DmbRegistered registered)
    {
        if (!_pending.Remove(registered.Request, out var pending))
        {
            Sender.Tell(new ReleaseDmb(registered.Handle.Token)); // its owner stopped or its device went down meanwhile
            return;
        }

        _allocated[registered.Handle.Token] = new Allocation(pending.Owner, pending.Fid, pending.Device);
        pending.Owner.Tell(new DmbAllocated(pending.Attempt, registered.Handle, pending.Device));
        Publish(pending.Fid);
    }

    private void OnNotRegistered(DmbNotRegistered refused)
    {
        if (_pending.Remove(refused.Request, out var pending))
        {
            Count(pending.Owner, -1);
            pending.Owner.Tell(new DmbAllocationFailed(pending.Attempt, refused.Reason));
        }
    }

    private void Free(DmbToken token, IActorRef owner)
    {
        if (!_allocated.TryGetValue(token, out var allocation) || !allocation.Owner.Equals(owner))
        {
            return;
        }

        _allocated.Remove(token);
        Count(owner, -1);
        allocation.Device.Tell(new ReleaseDmb(token));
        Publish(allocation.Fid);
    }

    /// <summary>An owner stopped: none of its DMBs may leak.</summary>
    private void OwnerStopped(IActorRef owner)
    {
        foreach (var token in _allocated.Where(a => a.Value.Owner.Equals(owner)).Select(a => a.Key).ToList())
        {
            _log.LogDebug("reclaiming DMB {Token} of stopped owner {Owner}", token, owner.Path);
            Free(token, owner);
        }

        foreach (var id in _pending.Where(p => p.Value.Owner.Equals(owner)).Select(p => p.Key).ToList())
        {
            _pending.Remove(id); // its grant, when it comes, is released at once
        }

        _perOwner.Remove(owner);
    }

    private void OnDeviceDown(DeviceDown down)
    {
        var fid = down.Function.Fid;
        _devices.Remove(fid);
        foreach (var (token, allocation) in _allocated.Where(a => a.Value.Fid == fid).ToList())
        {
            _allocated.Remove(token);
            Count(allocation.Owner, -1);
            allocation.Owner.Tell(new DeviceGone(fid, down.Reason));
        }

        foreach (var (id, pending) in _pending.Where(p => p.Value.Fid == fid).ToList())
        {
            _pending.Remove(id);
            Count(pending.Owner, -1);
            pending.Owner.Tell(new DmbAllocationFailed(pending.Attempt, $"function 0x{fid:x} went down: {down.Reason}"));
        }

        Publish(fid);
    }

    private void Count(IActorRef owner, int delta)
    {
        var count = _perOwner.GetValueOrDefault(owner) + delta;
        if (count <= 0)
        {
            if (_perOwner.Remove(owner))
            {
                Context.Unwatch(owner);
            }

            return;
        }

        if (!_perOwner.ContainsKey(owner))
        {
            Context.Watch(owner);
        }

        _perOwner[owner] = count;
    }

    private void Publish(uint fid) => _node.Tell(new DeviceDmbs(fid, _allocated.Values.Count(a => a.Fid == fid)));

    private sealed record Allocation(IActorRef Owner, uint Fid, IActorRef Device);

    private sealed record Pending(IActorRef Owner, uint Fid, long Attempt, IActorRef Device);
}
