using Akka.Actor;
using IsmFabric.Channels;
using IsmFabric.Fabric.Protocol;
using IsmFabric.Ism;
using IsmFabric.Vfio;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric.Devices;

/// <summary>
/// A device's interrupt thread: waits on the function's interrupt source (polling every interval, for lost
/// interrupts), runs the interrupt handler pass, wakes the data plane of each signalled DMB directly and sends every
/// IEQ event straight to the actor it concerns. Builds nothing per interrupt. If it fails, it tells the device
/// actor, which fails and is restarted by its supervisor.
/// </summary>
internal sealed class DeviceInterrupts : IIsmInterruptHandler, IDisposable
{
    private readonly IsmFunction _function;
    private readonly uint _fid;
    private readonly DmbHandle?[] _bySlot;
    private readonly EventRouting _routing;
    private readonly IActorRef _device;
    private readonly TimeSpan _poll;
    private long _handled;
    private long _lastProbe;
    private readonly ILogger _log;
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    internal DeviceInterrupts(IsmFunction function, uint fid, DmbHandle?[] bySlot, EventRouting routing, IActorRef device, TimeSpan poll, ILogger log)
    {
        _function = function;
        _fid = fid;
        _bySlot = bySlot;
        _routing = routing;
        _device = device;
        _poll = poll;
        _log = log;
        _thread = new Thread(Run) { IsBackground = true, Name = $"irq-{function.Name}" };
    }

    internal void Start() => _thread.Start();

    /// <summary>Stops the thread and waits for it: after this no interrupt pass runs.</summary>
    public void Dispose()
    {
        _stop.Cancel();
        if (!_thread.Join(TimeSpan.FromSeconds(5)))
        {
            _log.LogError("device {Device}: the interrupt thread did not stop within 5 s", _function.Name);
        }

        _stop.Dispose();
    }

    private void Run()
    {
        var token = _stop.Token;
        var source = _function.Interrupts;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var interrupts = source.Wait(_poll, token);
                if (token.IsCancellationRequested)
                {
                    return;
                }

                var handled = Volatile.Read(ref _handled);
                _function.ProcessInterrupts(this);
                if (interrupts > 0 && Volatile.Read(ref _handled) == handled && ProbeDue() && _function.Probe() is { } gone)
                {
                    // Woken with nothing to do, and the function no longer answers loads: it entered error state. Its
                    // peers heard at once from firmware; without this we would hear only at the next failed keepalive.
                    throw new IsmException($"{_function.Name} stopped answering: {gone.Message}", gone);
                }
            }
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
        }
        catch (Exception e) when (e is ObjectDisposedException && token.IsCancellationRequested)
        {
        }
        catch (Exception e)
        {
            _log.LogError("device {Device}: the interrupt thread failed: {Error}", _function.Name, e.Message);
            _device.Tell(new InterruptThreadFailed(e), ActorRefs.NoSender);
        }
    }

    /// <summary>At most one probe per millisecond: wakes that find the work already done must not load the device.</summary>
    private bool ProbeDue()
    {
        var now = System.Diagnostics.Stopwatch.GetTimestamp();
        if (System.Diagnostics.Stopwatch.GetElapsedTime(_lastProbe, now) < TimeSpan.FromMilliseconds(1))
        {
            return false;
        }

        _lastProbe = now;
        return true;
    }

    void IIsmInterruptHandler.OnSignal(Dmb dmb, ushort mask)
    {
        _handled++;
        Volatile.Read(ref _bySlot[dmb.SbaIndex])?.Wake();
    }

    void IIsmInterruptHandler.OnStraySignal(int slot)
    {
        // A signal that raced the unregistration of its DMB: nobody waits on that slot any more.
        _handled++;
    }

    void IIsmInterruptHandler.OnError(string problem)
    {
        _handled++;
        _log.LogWarning("device {Device}: {Problem}", _function.Name, problem);
    }

    void IIsmInterruptHandler.OnEvent(IsmEvent ev)
    {
        _handled++;
        var gid = new Gid(ev.Token);
        switch (ev.Type)
        {
            case IsmEventType.Software when ev.Code == IsmEventCode.TestLink:
                var info = TestLinkInfo.Decode(ev.Info);
                if (info.Code == TestLinkInfo.Response && _routing.Peers.TryGetValue(gid, out var peer))
                {
                    peer.Tell(new KeepaliveAnswer(gid, info.LinkGroupId), ActorRefs.NoSender);
                }

                break;
            case IsmEventType.Software when ev.Code == IsmEventCode.Shutdown:
                GidTrouble(gid, "the peer is shutting down");
                break;
            case IsmEventType.Software when NegotiationMessage.IsNegotiation(ev.Code):
                _routing.Negotiation.Tell(new NegotiationEvent(_fid, _function.Gid, ev), ActorRefs.NoSender);
                break;
            case IsmEventType.Software:
                _log.LogWarning("device {Device}: unknown software event 0x{Code:x} from GID {Gid} ignored", _function.Name, ev.Code, gid);
                break;
            case IsmEventType.Device:
                GidTrouble(gid, IsmEventCode.Describe(ev.Type, ev.Code));
                break;
            case IsmEventType.Buffer:
                _routing.Failover.Tell(new DmbTrouble(new DmbToken(ev.Token), IsmEventCode.Describe(ev.Type, ev.Code)), ActorRefs.NoSender);
                break;
            default:
                _log.LogDebug("device {Device}: event {Event} ignored", _function.Name, ev);
                break;
        }
    }

    private void GidTrouble(Gid gid, string reason)
    {
        if (_routing.Peers.TryGetValue(gid, out var peer))
        {
            peer.Tell(new GidDown(gid, reason), ActorRefs.NoSender);
        }

        _routing.Failover.Tell(new GidDown(gid, reason), ActorRefs.NoSender);
    }

    /// <summary>The interrupt thread died: the device must be brought up again.</summary>
    internal sealed record InterruptThreadFailed(Exception Error);
}
