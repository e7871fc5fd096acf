using Akka.Actor;
using Akka.Persistence;
using IsmFabric.Fabric.Persistence;

namespace IsmFabric.Fabric.Tests.Journal;

/// <summary>
/// A persistent actor for journal tests: reports what recovery delivered (or why it failed), then persists what it is
/// told and reports each outcome: stored, rejected (the actor goes on) or failed (the actor stops).
/// </summary>
public sealed class Recorder : ReceivePersistentActor
{
    private readonly List<(long Sequence, IFabricEvent Event)> _recovered = [];
    private readonly TaskCompletionSource<Recovered> _recovery;
    private TaskCompletionSource<string>? _outcome;

    public Recorder(string persistenceId, TaskCompletionSource<Recovered> recovery)
    {
        PersistenceId = persistenceId;
        _recovery = recovery;
        Recover<IFabricEvent>(e => _recovered.Add((LastSequenceNr, e)));
        Recover<RecoveryCompleted>(_ => _recovery.TrySetResult(new Recovered(_recovered, null, Self)));
        Command<Write>(w =>
        {
            _outcome = w.Outcome;
            PersistAll(w.Events, e =>
            {
                if (ReferenceEquals(e, w.Events[^1]))
                {
                    _outcome.TrySetResult("stored");
                }
            });
        });
    }

    public override string PersistenceId { get; }

    protected override void OnRecoveryFailure(Exception reason, object? message = null)
    {
        _recovery.TrySetResult(new Recovered(_recovered, reason, Self));
        base.OnRecoveryFailure(reason, message);
    }

    protected override void OnPersistRejected(Exception cause, object @event, long sequenceNr)
    {
        _outcome?.TrySetResult("rejected: " + cause.Message);
        base.OnPersistRejected(cause, @event, sequenceNr);
    }

    protected override void OnPersistFailure(Exception cause, object @event, long sequenceNr)
    {
        _outcome?.TrySetResult("failed: " + cause.Message);
        base.OnPersistFailure(cause, @event, sequenceNr);
    }

    /// <summary>What recovery delivered, with the sequence numbers, and the failure if it failed.</summary>
    public sealed record Recovered(IReadOnlyList<(long Sequence, IFabricEvent Event)> Events, Exception? Failure, IActorRef Actor)
    {
        /// <summary>Persists <paramref name="events"/> with one PersistAll and returns "stored", "rejected: …" or "failed: …".</summary>
        public async Task<string> WriteAsync(params IFabricEvent[] events)
        {
            var outcome = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
            Actor.Tell(new Write(events, outcome));
            return await outcome.Task.WaitAsync(TimeSpan.FromSeconds(60));
        }
    }

    /// <summary>Persist these with one PersistAll.</summary>
    public sealed record Write(IFabricEvent[] Events, TaskCompletionSource<string> Outcome);
}
