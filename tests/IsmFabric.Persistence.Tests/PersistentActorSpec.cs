using IsmFabric.Actors;
using IsmFabric.Actors.TestKit;
using IsmFabric.Persistence.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace IsmFabric.Persistence.Tests;

/// <summary>Persistent actor semantics, run once per back end by the subclasses.</summary>
public abstract class PersistentActorSpec : TestKit, IAsyncLifetime
{
    private readonly Func<StoreFactory> _createFactory;
    private StoreFactory? _factory;

    protected PersistentActorSpec(ITestOutputHelper output, Func<StoreFactory> createFactory)
        : base(output) => _createFactory = createFactory;

    private IEventJournal Journal { get; set; } = null!;

    private ISnapshotStore Snapshots { get; set; } = null!;

    public async Task InitializeAsync()
    {
        _factory = _createFactory();
        (Journal, Snapshots) = await _factory.OpenAsync();
        PersistenceExtension.Register(Sys, Journal, Snapshots, TestRegistry.Create());
    }

    public async Task DisposeAsync()
    {
        await Sys.Terminate(TimeSpan.FromSeconds(10));
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }

    [BackendFact]
    public void A_new_persistence_id_recovers_empty_with_sequence_number_zero()
    {
        StartCounter("fresh");
        ExpectMsg(new Counter.Recovered(0, 0));
    }

    [BackendFact]
    public void Persisted_events_are_replayed_by_the_next_incarnation()
    {
        var counter = StartCounter("c1");
        ExpectMsg<Counter.Recovered>();
        counter.Tell(new Counter.Add(1));
        counter.Tell(new Counter.Add(2));
        counter.Tell(new Counter.Add(3));
        Assert.Equal([1L, 2L, 3L], ReceiveN(3).Cast<Counter.Ack>().Select(a => a.SequenceNr));
        StopAndWait(counter);

        var again = StartCounter("c1");
        ExpectMsg(new Counter.Recovered(6, 3));
        again.Tell(new Counter.Add(4));
        ExpectMsg(new Counter.Ack(4));
    }

    [BackendFact]
    public async Task The_persist_handler_runs_only_after_the_durable_write_and_later_commands_wait_for_it()
    {
        var gated = new GatedJournal(Journal);
        var counter = ActorOf(Props.Create(() => new GatedCounter("gated", TestActor, new PersistenceExtension(gated, Snapshots, TestRegistry.Create()))), "gated");
        ExpectMsg<Counter.Recovered>();
        counter.Tell(new Counter.Add(5));
        counter.Tell(new Counter.Get());
        AwaitCondition(() => gated.WaitingWrites == 1);
        ExpectNoMsg(TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, await Journal.ReadHighestSequenceNrAsync("gated"));

        gated.Open();
        ExpectMsg(new Counter.Ack(1));
        ExpectMsg(new Counter.Total(5, 1));
        Assert.Equal(1, await Journal.ReadHighestSequenceNrAsync("gated"));
    }

    [BackendFact]
    public async Task PersistAll_is_one_write_whose_handlers_run_in_order_with_the_command_sender()
    {
        var counter = StartCounter("many");
        ExpectMsg<Counter.Recovered>();
        var client = CreateTestProbe();
        client.Send(counter, new Counter.AddMany([1, 2, 3, 4]));
        Assert.Equal([1L, 2L, 3L, 4L], client.ReceiveN(4).Cast<Counter.Ack>().Select(a => a.SequenceNr));
        Assert.Equal(4, await Journal.ReadHighestSequenceNrAsync("many"));
        counter.Tell(new Counter.Get());
        ExpectMsg(new Counter.Total(10, 4));
    }

    [BackendFact]
    public void Commands_sent_during_recovery_are_processed_after_it_in_their_order()
    {
        var first = StartCounter("early");
        ExpectMsg<Counter.Recovered>();
        first.Tell(new Counter.AddMany(Enumerable.Repeat(1, 200).ToArray()));
        ReceiveN(200);
        StopAndWait(first);

        var counter = StartCounter("early");
        counter.Tell(new Counter.Add(10));
        counter.Tell(new Counter.Get());
        ExpectMsg(new Counter.Recovered(200, 200));
        ExpectMsg(new Counter.Ack(201));
        ExpectMsg(new Counter.Total(210, 201));
    }

    [BackendFact]
    public async Task A_snapshot_and_deleting_the_events_it_covers_recover_the_same_state()
    {
        var counter = StartCounter("snap");
        ExpectMsg<Counter.Recovered>();
        counter.Tell(new Counter.AddMany([1, 2, 3, 4, 5]));
        ReceiveN(5);
        counter.Tell(new Counter.Snap());
        var saved = ExpectMsg<SaveSnapshotSuccess>();
        Assert.Equal(5, saved.Metadata.SequenceNr);
        counter.Tell(new Counter.DeleteUpTo(saved.Metadata.SequenceNr));
        ExpectMsg(new DeleteMessagesSuccess(5));
        counter.Tell(new Counter.Add(100));
        ExpectMsg(new Counter.Ack(6));
        StopAndWait(counter);

        var remaining = new List<long>();
        await foreach (var e in Journal.ReadAsync("snap", 1, long.MaxValue))
        {
            remaining.Add(e.SequenceNr);
        }

        Assert.Equal([6L], remaining);
        StartCounter("snap");
        ExpectMsg(new Counter.Recovered(115, 6));
    }

    [BackendFact]
    public async Task Two_actors_with_one_persistence_id_one_write_fails_and_the_journal_does_not_interleave()
    {
        var a = ActorOf(Props.Create(() => new Counter("shared", TestActor)), "a");
        var b = ActorOf(Props.Create(() => new Counter("shared", TestActor)), "b");
        ReceiveN(2);
        Watch(a);
        Watch(b);
        a.Tell(new Counter.AddMany([1, 1, 1]));
        b.Tell(new Counter.AddMany([2, 2]));

        var got = new List<object>();
        while (!got.OfType<Counter.PersistFailed>().Any() || !got.OfType<Terminated>().Any())
        {
            got.Add(Probe.ReceiveOne(TimeSpan.FromSeconds(10)));
        }

        var failed = Assert.Single(got.OfType<Counter.PersistFailed>());
        Assert.IsType<JournalConcurrencyException>(failed.Cause);
        Assert.Equal(1, failed.SequenceNr);
        var loser = Assert.Single(got.OfType<Terminated>()).ActorRef;
        var winner = loser == a ? b : a;

        var events = new List<int>();
        await foreach (var e in Journal.ReadAsync("shared", 1, long.MaxValue))
        {
            events.Add(((Added)TestRegistry.Create().Deserialize(e.TypeName, e.TypeVersion, e.Payload.Span)).Amount);
        }

        Assert.Equal(winner == a ? [1, 1, 1] : [2, 2], events);
        var acks = got.OfType<Counter.Ack>().Count();
        ReceiveN(events.Count - acks);
        winner.Tell(new Counter.Get());
        ExpectMsg(new Counter.Total(events.Sum(), events.Count));
    }

    [BackendFact]
    public void An_event_of_an_unregistered_type_is_rejected_and_the_actor_goes_on()
    {
        var counter = StartCounter("rejected");
        ExpectMsg<Counter.Recovered>();
        counter.Tell(new Counter.PersistUnregistered());
        var rejected = ExpectMsg<Counter.PersistRejected>();
        Assert.IsType<UnknownEventTypeException>(rejected.Cause);
        counter.Tell(new Counter.Add(1));
        ExpectMsg(new Counter.Ack(1));
    }

    [BackendFact]
    public async Task An_unknown_event_type_in_the_journal_fails_recovery_and_stops_the_actor()
    {
        await Journal.WriteAsync([new JournalEvent("mystery", 1, "from-the-future", 9, "{}"u8.ToArray(), DateTimeOffset.UtcNow)]);
        var counter = StartCounter("mystery");
        Watch(counter);
        Assert.IsType<UnknownEventTypeException>(ExpectMsg<Counter.RecoveryFailed>().Cause);
        ExpectTerminated(counter);
    }

    [BackendFact]
    public void A_command_that_throws_restarts_the_actor_which_recovers_its_persisted_state()
    {
        var counter = StartCounter("restart");
        ExpectMsg<Counter.Recovered>();
        counter.Tell(new Counter.Add(7));
        ExpectMsg(new Counter.Ack(1));
        counter.Tell(new Counter.Fail());
        counter.Tell(new Counter.Get());
        ExpectMsg(new Counter.Recovered(7, 1));
        ExpectMsg(new Counter.Total(7, 1));
        ExpectFailure<InvalidOperationException>();
    }

    private IActorRef StartCounter(string id) => ActorOf(Props.Create(() => new Counter(id, TestActor)));

    private void StopAndWait(IActorRef actor)
    {
        var probe = CreateTestProbe();
        probe.Watch(actor);
        Sys.Stop(actor);
        probe.ExpectTerminated(actor);
    }

    /// <summary>A counter that persists through the journal it is given instead of the system's.</summary>
    private sealed class GatedCounter : ReceivePersistentActor
    {
        private readonly PersistenceExtension _persistence;
        private int _total;

        public GatedCounter(string id, IActorRef probe, PersistenceExtension persistence)
        {
            PersistenceId = id;
            _persistence = persistence;
            Recover<RecoveryCompleted>(_ => probe.Tell(new Counter.Recovered(_total, LastSequenceNr), Self));
            Command<Counter.Add>(c => Persist(new Added(c.Amount), e =>
            {
                _total += e.Amount;
                Sender.Tell(new Counter.Ack(LastSequenceNr), Self);
            }));
            Command<Counter.Get>(_ => Sender.Tell(new Counter.Total(_total, LastSequenceNr), Self));
        }

        public override string PersistenceId { get; }

        protected override PersistenceExtension Persistence => _persistence;
    }
}
