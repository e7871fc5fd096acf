using IsmFabric.Actors;

namespace IsmFabric.Persistence.CrashTarget;

/// <summary>Recovers, then persists batch after batch with PersistAll, printing each durable batch to stdout.</summary>
internal sealed class CrashWriter : ReceivePersistentActor
{
    private static readonly string Filler = new('x', 256);
    private readonly int _batchSize;
    private int _nextBatch;

    public CrashWriter(string persistenceId, int batchSize)
    {
        PersistenceId = persistenceId;
        _batchSize = batchSize;
        Recover<CrashEvent>(e => _nextBatch = e.Batch + 1);
        Recover<RecoveryCompleted>(_ =>
        {
            Console.Out.WriteLine($"recovered {LastSequenceNr}");
            Self.Tell(Next.Instance, Self);
        });
        Command<Next>(_ =>
        {
            var batch = _nextBatch++;
            var events = Enumerable.Range(0, _batchSize).Select(i => new CrashEvent(batch, i, _batchSize, Filler));
            PersistAll(events, e =>
            {
                if (e.Index == _batchSize - 1)
                {
                    // A test program: the parent reads these lines to know what is durable.
                    Console.Out.WriteLine($"persisted {LastSequenceNr}");
                    Self.Tell(Next.Instance, Self);
                }
            });
        });
    }

    public override string PersistenceId { get; }

    private sealed record Next
    {
        public static Next Instance { get; } = new();
    }
}
