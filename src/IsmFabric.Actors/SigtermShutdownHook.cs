using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Actors;

/// <summary>
/// Terminates an actor system in order when the process receives SIGTERM (or SIGINT/SIGQUIT if asked): the signal
/// handler waits for <see cref="ActorSystem.Terminate(TimeSpan)"/> (bounded by the deadline) before the runtime's
/// default handling ends the process. Dispose it to unhook. A Generic Host can instead call Terminate from its
/// own stopping callback.
/// </summary>
public sealed class SigtermShutdownHook : IDisposable
{
    private readonly ActorSystem _system;
    private readonly TimeSpan _deadline;
    private readonly List<PosixSignalRegistration> _registrations = [];

    private SigtermShutdownHook(ActorSystem system, TimeSpan deadline)
    {
        _system = system;
        _deadline = deadline;
    }

    /// <summary>Hooks SIGTERM (plus <paramref name="alsoOn"/>) to an ordered termination of <paramref name="system"/>.</summary>
    /// <param name="system">The system to terminate.</param>
    /// <param name="deadline">How long the ordered shutdown may take.</param>
    /// <param name="alsoOn">Other signals to treat the same way, e.g. SIGINT.</param>
    /// <returns>The hook; dispose it to unhook.</returns>
    public static SigtermShutdownHook Install(ActorSystem system, TimeSpan deadline, params PosixSignal[] alsoOn)
    {
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(alsoOn);
        var hook = new SigtermShutdownHook(system, deadline);
        foreach (var signal in alsoOn.Prepend(PosixSignal.SIGTERM).Distinct())
        {
            hook._registrations.Add(PosixSignalRegistration.Create(signal, hook.Handle));
        }

        return hook;
    }

    /// <summary>Unhooks the signals.</summary>
    public void Dispose()
    {
        foreach (var r in _registrations)
        {
            r.Dispose();
        }

        _registrations.Clear();
    }

    internal void Handle(PosixSignalContext context)
    {
        _system.LoggerFactory.CreateLogger<SigtermShutdownHook>()
            .LogInformation("Received {Signal}; terminating actor system {ActorSystem}", context.Signal, _system.Name);
        _system.Terminate(_deadline).GetAwaiter().GetResult();
    }
}
