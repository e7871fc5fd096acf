using Akka.Actor;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Ism;
using IsmFabric.Vfio;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric.Devices;

/// <summary>
/// The one actor that owns an ISM function: it brings the function up, runs its commands in order (DMB registration,
/// events, QUERY_RGID), owns the interrupt thread, and hands each DMB out as a <see cref="DmbHandle"/> whose gate every
/// data-plane use passes. Before it unregisters a DMB, and before it lets the function go, it closes the gates and
/// waits for the users to leave, so nothing touches memory it freed. When the function fails the actor throws and its
/// backoff supervisor brings it up again; owners hear it from the DMB supervisor and register anew.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor releases what it owns in PostStop, its end of life.")]
internal sealed class DeviceActor : ReceiveActor, IWithTimers
{
    /// <summary>How long a released DMB waits for a reader still holding it before its memory is kept rather than freed.</summary>
    private static readonly TimeSpan DrainLimit = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan DrainPoll = TimeSpan.FromMilliseconds(2);

    private readonly FunctionDescriptor _descriptor;
    private readonly IDeviceProvider _provider;
    private readonly FabricNodeSettings _settings;
    private readonly IActorRef _node;
    private readonly EventRouting _routing;
    private readonly ILogger _log;
    private readonly Dictionary<DmbToken, DmbHandle> _dmbs = [];
    private readonly DmbHandle?[] _bySlot = new DmbHandle?[IsmFunction.SlotCount];
    private readonly List<(DmbHandle Handle, DateTime Since)> _draining = [];
    private IsmFunction? _function;
    private DeviceInterrupts? _interrupts;

    public DeviceActor(FunctionDescriptor descriptor, IDeviceProvider provider, FabricNodeSettings settings, IActorRef node, EventRouting routing, ILogger log)
    {
        _descriptor = descriptor;
        _provider = provider;
        _settings = settings;
        _node = node;
        _routing = routing;
        _log = log;

        Receive<RegisterDmb>(OnRegister);
        Receive<ReleaseDmb>(OnRelease);
        Receive<DrainTick>(_ => Drain());
        Receive<SendEvent>(OnSendEvent);
        Receive<QueryRemote>(q => Sender.Tell(new RemoteAnswer(q.Gid, Guard(() => Function.QueryRemoteGid(q.Gid)))));
        Receive<CheckHealth>(c =>
        {
            if (IsDeviceBroken())
            {
                throw new DeviceFailedException(_descriptor.Name, new IsmException($"{_descriptor.Name}: {c.Why}, and the function no longer answers"));
            }
        });
        Receive<DeviceInterrupts.InterruptThreadFailed>(f => throw new DeviceFailedException(_descriptor.Name, f.Error));
    }

    /// <summary>The actor's timers (set by Akka).</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    private IsmFunction Function => _function ?? throw new InvalidOperationException($"{_descriptor.Name} is not up");

    protected override void PreStart()
    {
        var function = new IsmFunction(_provider.Open(_descriptor), _log);
        try
        {
            function.BringUp();
        }
        catch
        {
            function.Dispose();
            throw;
        }

        _function = function;
        _interrupts = new DeviceInterrupts(function, _descriptor.Fid, _bySlot, _routing, Self, _settings.InterruptPollInterval, _log);
        _interrupts.Start();
        _node.Tell(new DeviceUp(_descriptor, function.Gid, function.Chid, Self));
        _log.LogInformation("device {Device} up: GID {Gid} on CHID {Chid}", _descriptor.Name, function.Gid, function.Chid);
    }

    protected override void PostStop()
    {
        // Close every gate first: from now on no data-plane thread enters. Then wait (bounded) for those inside.
        foreach (var handle in _dmbs.Values)
        {
            handle.Gate.Close();
        }

        var until = DateTime.UtcNow + TimeSpan.FromSeconds(2);
        while (_dmbs.Values.Any(h => !h.Gate.IsDrained) && DateTime.UtcNow < until)
        {
            Thread.Sleep(1);
        }

        // No interrupt pass may run while the function is taken apart.
        _interrupts?.Dispose();
        if (_function is { } function)
        {
            foreach (var handle in _dmbs.Values.Concat(_draining.Select(d => d.Handle)).Distinct())
            {
                Unregister(handle, keepMemory: !handle.Gate.IsDrained);
            }

            try
            {
                function.Dispose(); // unregisters what is left (before unmapping), then the queues; closes the device
            }
            catch (Exception e) when (e is IsmException or VfioException)
            {
                _log.LogWarning(e, "device {Device}: teardown failed", _descriptor.Name);
            }
        }

        Array.Clear(_bySlot);
        _dmbs.Clear();
        _draining.Clear();
        _node.Tell(new DeviceDown(_descriptor, "stopped"));
    }

    private void OnRegister(RegisterDmb request)
    {
        Dmb dmb;
        try
        {
            dmb = Function.RegisterDmb(request.Size, request.RemoteGid);
        }
        catch (IsmDmbLimitException e)
        {
            Sender.Tell(new DmbNotRegistered(request.Request, e.Message));
            return;
        }
        catch (IsmCommandException e) when (e.ReturnCode != IsmCommandException.IsmError)
        {
            Sender.Tell(new DmbNotRegistered(request.Request, e.Message));
            return;
        }
        catch (Exception e) when (e is IsmException or VfioException)
        {
            Sender.Tell(new DmbNotRegistered(request.Request, e.Message));
            throw new DeviceFailedException(_descriptor.Name, e);
        }

        var handle = new DmbHandle(dmb, Function, _descriptor.Fid);
        _dmbs[dmb.Token] = handle;
        Volatile.Write(ref _bySlot[dmb.SbaIndex], handle);
        Sender.Tell(new DmbRegistered(request.Request, handle));
    }

    private void OnRelease(ReleaseDmb request)
    {
        if (!_dmbs.Remove(request.Token, out var handle))
        {
            return;
        }

        handle.Gate.Close();
        if (handle.Gate.IsDrained)
        {
            Unregister(handle, keepMemory: false);
            return;
        }

        // A data-plane thread is still inside (a move in flight, a message being read): look again shortly.
        _draining.Add((handle, DateTime.UtcNow));
        if (!Timers.IsTimerActive("drain"))
        {
            Timers.StartPeriodicTimer("drain", DrainTick.Instance, DrainPoll);
        }
    }

    private void Drain()
    {
        for (var i = _draining.Count - 1; i >= 0; i--)
        {
            var (handle, since) = _draining[i];
            var drained = handle.Gate.IsDrained;
            if (drained || DateTime.UtcNow - since > DrainLimit)
            {
                if (!drained)
                {
                    _log.LogError("device {Device}: {Dmb} is still held by a reader after {Limit}; it is unregistered, its memory kept", _descriptor.Name, handle, DrainLimit);
                }

                _draining.RemoveAt(i);
                Unregister(handle, keepMemory: !drained);
            }
        }

        if (_draining.Count == 0)
        {
            Timers.Cancel("drain");
        }
    }

    private void Unregister(DmbHandle handle, bool keepMemory)
    {
        if (ReferenceEquals(Volatile.Read(ref _bySlot[handle.SbaIndex]), handle))
        {
            Volatile.Write(ref _bySlot[handle.SbaIndex], null);
        }

        try
        {
            Function.UnregisterDmb(handle.Dmb, keepMemory);
        }
        catch (Exception e) when (e is IsmException or VfioException)
        {
            _log.LogWarning("device {Device}: {Dmb} stays registered: {Error}", _descriptor.Name, handle, e.Message);
        }
    }

    private void OnSendEvent(SendEvent request)
    {
        try
        {
            Function.SignalEvent(request.Target, request.Code, request.Info);
            Sender.Tell(new EventSent(request.Target, request.Code, true, null));
        }
        catch (IsmCommandException e) when (e.ReturnCode != IsmCommandException.IsmError)
        {
            Sender.Tell(new EventSent(request.Target, request.Code, false, e.Message));
        }
        catch (Exception e) when (e is IsmException or VfioException)
        {
            Sender.Tell(new EventSent(request.Target, request.Code, false, e.Message));
            throw new DeviceFailedException(_descriptor.Name, e);
        }
    }

    private bool IsDeviceBroken()
    {
        try
        {
            Function.ReadGid();
            return false;
        }
        catch (Exception e) when (e is IsmException or VfioException)
        {
            return true;
        }
    }

    private T Guard<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (Exception e) when (e is IsmException or VfioException)
        {
            throw new DeviceFailedException(_descriptor.Name, e);
        }
    }

    /// <summary>Look at the DMBs waiting for their users to leave.</summary>
    private sealed class DrainTick
    {
        internal static readonly DrainTick Instance = new();
    }
}
