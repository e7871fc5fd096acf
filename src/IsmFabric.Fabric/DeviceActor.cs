using Akka.Actor;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Ism;
using IsmFabric.Vfio;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric;

/// <summary>
/// The one actor that touches an ISM function's BARs: it brings the function up, hands out DMBs to owners (with a
/// quota, reclaimed when the owner dies), carries out moves and commands in order, and turns interrupts into
/// messages (a dedicated thread only waits on the interrupt source and pokes the actor). When the function fails
/// the actor throws, and its backoff supervisor brings it up again; owners are told and re-register.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "An actor releases what it owns in PostStop, its end of life.")]
internal sealed class DeviceActor : ReceiveActor
{
    private readonly FunctionDescriptor _descriptor;
    private readonly IDeviceProvider _provider;
    private readonly FabricNodeSettings _settings;
    private readonly IActorRef _node;
    private readonly ILogger _log;
    private readonly Dictionary<DmbToken, (Dmb Dmb, IActorRef Owner)> _dmbs = [];
    private readonly Dictionary<IActorRef, int> _perOwner = [];
    private IsmFunction? _function;
    private Thread? _interruptThread;
    private CancellationTokenSource? _stop;
    private int _tickPending;

    public DeviceActor(FunctionDescriptor descriptor, IDeviceProvider provider, FabricNodeSettings settings, IActorRef node, ILogger log)
    {
        _descriptor = descriptor;
        _provider = provider;
        _settings = settings;
        _node = node;
        _log = log;

        Receive<InterruptTick>(_ => OnInterrupt());
        Receive<RegisterDmb>(OnRegister);
        Receive<ReleaseDmb>(OnRelease);
        Receive<ExecuteStores>(OnStores);
        Receive<SendEvent>(OnSendEvent);
        Receive<QueryRemote>(q => Sender.Tell(new RemoteAnswer(q.Gid, Guard(() => Function.QueryRemoteGid(new Gid(q.Gid))))));
        Receive<Terminated>(t => ReclaimOwner(t.ActorRef));
    }

    private IsmFunction Function => _function ?? throw new InvalidOperationException($"{_descriptor.Name} is not up");

    protected override void PreStart()
    {
        var device = _provider.Open(_descriptor);
        var function = new IsmFunction(device, _log);
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
        _stop = new CancellationTokenSource();
        var self = Self;
        var source = function.Interrupts;
        var token = _stop.Token;
        var poll = _settings.InterruptPollInterval;
        _interruptThread = new Thread(() => WaitForInterrupts(source, self, poll, token))
        {
            IsBackground = true,
            Name = $"irq-{_descriptor.Name}",
        };
        _interruptThread.Start();
        _node.Tell(new DeviceUp(_descriptor, function.Gid.Value, function.Chid.Value, Self));
        _log.LogInformation("device {Device} up: GID {Gid} on CHID {Chid}", _descriptor.Name, function.Gid, function.Chid);
    }

    /// <summary>Runs on the interrupt thread: waits, then pokes the actor (once per pending batch); also polls, for lost interrupts.</summary>
    private void WaitForInterrupts(IInterruptSource source, IActorRef self, TimeSpan poll, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            try
            {
                source.Wait(poll, token);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            catch (VfioException)
            {
                return;
            }

            if (Interlocked.Exchange(ref _tickPending, 1) == 0)
            {
                self.Tell(InterruptTick.Instance, ActorRefs.NoSender);
            }
        }
    }

    protected override void PostStop()
    {
        _stop?.Cancel();
        var owners = _dmbs.Values.Select(v => v.Owner).Distinct().ToList();
        try
        {
            _function?.Dispose(); // unregisters every DMB (before unmapping), then the queues; closes the device
        }
        catch (Exception e) when (e is IsmException or VfioException)
        {
            _log.LogWarning(e, "device {Device}: teardown failed", _descriptor.Name);
        }

        _interruptThread?.Join(TimeSpan.FromSeconds(2));
        _stop?.Dispose();
        foreach (var owner in owners)
        {
            owner.Tell(new DeviceGone(_descriptor.Fid, "device stopped"));
        }

        _dmbs.Clear();
        _node.Tell(new DeviceDown(_descriptor, "stopped"));
    }

    private void OnInterrupt()
    {
        Interlocked.Exchange(ref _tickPending, 0);
        var batch = Guard(() => Function.ProcessInterrupts());
        foreach (var signal in batch.Signals)
        {
            if (_dmbs.TryGetValue(signal.Dmb.Token, out var entry))
            {
                entry.Owner.Tell(new DmbSignalled(signal.Dmb.Token));
            }
        }

        foreach (var e in batch.Events)
        {
            _node.Tell(new DeviceEvent(_descriptor.Fid, Function.Gid.Value, e));
        }

        foreach (var error in batch.Errors)
        {
            _log.LogWarning("device {Device}: {Problem}", _descriptor.Name, error);
        }
    }

    private void OnRegister(RegisterDmb request)
    {
        var owner = request.Owner;
        var count = _perOwner.GetValueOrDefault(owner);
        if (count >= _settings.DmbQuotaPerOwner)
        {
            Sender.Tell(new DmbRefused($"owner {owner.Path} already holds {count} DMBs (quota {_settings.DmbQuotaPerOwner})"));
            return;
        }

        Dmb dmb;
        try
        {
            dmb = Function.RegisterDmb(request.Size, new Gid(request.RemoteGid));
        }
        catch (IsmDmbLimitException e)
        {
            Sender.Tell(new DmbRefused(e.Message));
            return;
        }
        catch (IsmCommandException e) when (e.ReturnCode != IsmCommandException.IsmError)
        {
            Sender.Tell(new DmbRefused(e.Message));
            return;
        }
        catch (Exception e) when (e is IsmException or VfioException)
        {
            Sender.Tell(new DmbRefused(e.Message));
            throw new DeviceFailedException(_descriptor.Name, e);
        }

        _dmbs[dmb.Token] = (dmb, owner);
        _perOwner[owner] = count + 1;
        if (count == 0)
        {
            Context.Watch(owner);
        }

        Sender.Tell(new DmbGranted(dmb, Self, _descriptor.Fid, Function.Gid.Value, Function.Chid.Value));
        _node.Tell(new DeviceDmbs(_descriptor.Fid, _dmbs.Count));
    }

    private void OnRelease(ReleaseDmb request)
    {
        if (!_dmbs.Remove(request.Token, out var entry))
        {
            return;
        }

        var left = _perOwner[entry.Owner] - 1;
        if (left == 0)
        {
            _perOwner.Remove(entry.Owner);
            Context.Unwatch(entry.Owner);
        }
        else
        {
            _perOwner[entry.Owner] = left;
        }

        _node.Tell(new DeviceDmbs(_descriptor.Fid, _dmbs.Count));
        try
        {
            Function.UnregisterDmb(entry.Dmb);
        }
        catch (IsmCommandException e)
        {
            _log.LogWarning(e, "device {Device}: {Dmb} stays registered", _descriptor.Name, entry.Dmb);
        }
    }

    /// <summary>An owner died: none of its DMBs may leak.</summary>
    private void ReclaimOwner(IActorRef owner)
    {
        foreach (var token in _dmbs.Where(d => d.Value.Owner.Equals(owner)).Select(d => d.Key).ToList())
        {
            _log.LogDebug("device {Device}: reclaiming DMB {Token} of stopped owner {Owner}", _descriptor.Name, token, owner.Path);
            OnRelease(new ReleaseDmb(token));
        }
    }

    private void OnStores(ExecuteStores request)
    {
        try
        {
            foreach (var store in request.Stores)
            {
                Function.Move(request.Target, store.Offset, store.Data.Span, store.Signal);
            }

            Sender.Tell(new StoresDone(request.Batch));
        }
        catch (IsmMoveException e)
        {
            Sender.Tell(new StoresFailed(request.Batch, e.Message));
            if (e.InnerException is VfioDeviceUnavailableException || IsDeviceBroken())
            {
                throw new DeviceFailedException(_descriptor.Name, e);
            }
        }
    }

    private void OnSendEvent(SendEvent request)
    {
        try
        {
            Function.SignalEvent(new Gid(request.Target), request.Code, request.Info);
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

    /// <summary>The interrupt thread saw an interrupt (or the poll interval passed).</summary>
    internal sealed class InterruptTick
    {
        internal static readonly InterruptTick Instance = new();
    }
}
