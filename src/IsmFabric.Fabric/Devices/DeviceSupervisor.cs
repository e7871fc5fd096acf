using Akka.Actor;
using Akka.Pattern;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Fabric.Devices;

/// <summary>
/// Starts one device actor per discovered function, each under a backoff supervisor: a function that fails (in
/// bring-up too) is brought up again after 100 ms, 200 ms, … up to the configured maximum, with jitter. Device
/// actors report up and down to the node, which keeps the topology.
/// </summary>
internal sealed class DeviceSupervisor : ReceiveActor
{
    private readonly IReadOnlyList<FunctionDescriptor> _functions;
    private readonly IDeviceProvider _provider;
    private readonly FabricNodeSettings _settings;
    private readonly IActorRef _node;
    private readonly EventRouting _routing;
    private readonly ILoggerFactory _loggers;

    public DeviceSupervisor(IReadOnlyList<FunctionDescriptor> functions, IDeviceProvider provider, FabricNodeSettings settings, IActorRef node, EventRouting routing, ILoggerFactory loggers)
    {
        _functions = functions;
        _provider = provider;
        _settings = settings;
        _node = node;
        _routing = routing;
        _loggers = loggers;
        ReceiveAny(_ => { });
    }

    protected override void PreStart()
    {
        foreach (var function in _functions)
        {
            var f = function;
            var device = Props.Create(() => new DeviceActor(f, _provider, _settings, _node, _routing, _loggers.CreateLogger("IsmFabric.Fabric.Device")));

            // Akka's default decider stops a child whose PreStart threw (ActorInitializationException): a bring-up
            // that fails must be retried like any other failure, so every failure restarts (after the backoff).
            var options = Backoff.OnFailure(device, $"device-{f.Fid:x}", _settings.DeviceRestartMinBackoff, _settings.DeviceRestartMaxBackoff, 0.2, -1)
                .WithSupervisorStrategy(new OneForOneStrategy(-1, Timeout.InfiniteTimeSpan, RestartAlways))
                .WithAutoReset(_settings.DeviceRestartMaxBackoff * 2);
            Context.ActorOf(BackoffSupervisor.Props(options), $"backoff-{f.Fid:x}");
        }
    }

    private static Directive RestartAlways(Exception failure) => Directive.Restart;

    /// <summary>A device supervisor stops only with the node: its children are the backoff supervisors, which never fail.</summary>
    protected override SupervisorStrategy SupervisorStrategy() => new OneForOneStrategy(_ => Directive.Stop);
}
