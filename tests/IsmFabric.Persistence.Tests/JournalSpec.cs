using System.Text;
using IsmFabric.Persistence.Tests.Support;
using Xunit;

namespace IsmFabric.Persistence.Tests;

/// <summary>What every journal back end must do; run once per back end by the subclasses.</summary>
public abstract class JournalSpec : IAsyncLifetime
{
    private readonly Func<StoreFactory> _createFactory;
    private StoreFactory? _factory;
    private IEventJournal? _journal;
    private ISnapshotStore? _snapshots;

    protected JournalSpec(Func<StoreFactory> createFactory) => _createFactory = createFactory;

    private StoreFactory Factory => _factory!;

    private IEventJournal Journal => _journal!;

    private ISnapshotStore Snapshots => _snapshots!;

    public async Task InitializeAsync()
    {
        // Skipped classes never get here, so a missing PostgreSQL is only noticed where it matters.
        _factory = _createFactory();
        (_journal, _snapshots) = await Factory.OpenAsync();
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }

    [BackendFact]
    public async Task Written_events_are_read_back_in_order_with_their_type_name_and_version()
    {
        await Journal.WriteAsync([Event("a", 1, "added", 1, "{\"amount\":1}"), Event("a", 2, "renamed", 2, "{}")]);
        await Journal.WriteAsync([Event("a", 3, "added", 1, "{\"amount\":3}")]);
        await Journal.WriteAsync([Event("b", 1, "added", 1, "{}")]);

        var read = await ReadAll("a");
        Assert.Equal([1L, 2L, 3L], read.Select(e => e.SequenceNr));
        Assert.Equal(["added", "renamed", "added"], read.Select(e => e.TypeName));
        Assert.Equal([1, 2, 1], read.Select(e => e.TypeVersion));
        Assert.Equal("{\"amount\":3}", Encoding.UTF8.GetString(read[2].Payload.Span));
        Assert.Equal(3, await Journal.ReadHighestSequenceNrAsync("a"));
        Assert.Equal(0, await Journal.ReadHighestSequenceNrAsync("nobody"));
    }

    [BackendFact]
    public async Task A_batch_that_collides_with_a_taken_sequence_number_is_rejected_whole()
    {
        await Journal.WriteAsync([Event("a", 1), Event("a", 2), Event("a", 3)]);
        var ex = await Assert.ThrowsAsync<JournalConcurrencyException>(() => Journal.WriteAsync([Event("a", 3), Event("a", 4), Event("a", 5)]));
        Assert.Equal("a", ex.PersistenceId);
        Assert.Equal(3, await Journal.ReadHighestSequenceNrAsync("a"));
        Assert.Equal(3, (await ReadAll("a")).Count);
    }

    [BackendFact]
    public async Task Two_writers_claiming_the_same_sequence_numbers_at_once_one_fails_and_nothing_interleaves()
    {
        var (second, _) = await Factory.OpenAsync();
        for (var round = 0; round < 10; round++)
        {
            var from = (round * 3) + 1;
            var first = Journal.WriteAsync(Batch("a", from, "one", round, 3));
            var other = second.WriteAsync(Batch("a", from, "two", round, 3));
            var outcomes = await Task.WhenAll(Outcome(first), Outcome(other));
            Assert.Single(outcomes, o => o is null);
            Assert.IsType<JournalConcurrencyException>(Assert.Single(outcomes, o => o is not null));
        }

        var events = (await ReadAll("a")).Select(e => Tag(e)).ToList();
        Assert.Equal(30, events.Count);
        foreach (var batch in events.Chunk(3))
        {
            Assert.Single(batch.Select(t => t.Writer).Distinct());
        }
    }

    [BackendFact]
    public async Task Two_writers_racing_with_retries_write_whole_batches_without_gaps()
    {
        var (second, _) = await Factory.OpenAsync();
        var conflicts = 0;
        async Task Writer(IEventJournal journal, string name)
        {
            for (var batch = 0; batch < 15; batch++)
            {
                while (true)
                {
                    var from = await journal.ReadHighestSequenceNrAsync("race") + 1;
                    try
                    {
                        await journal.WriteAsync(Batch("race", from, name, batch, 4));
                        break;
                    }
                    catch (JournalConcurrencyException)
                    {
                        Interlocked.Increment(ref conflicts);
                    }
                }
            }
        }

        await Task.WhenAll(Task.Run(() => Writer(Journal, "one")), Task.Run(() => Writer(second, "two")));
        var events = await ReadAll("race");
        Assert.Equal(Enumerable.Range(1, 120).Select(i => (long)i), events.Select(e => e.SequenceNr));
        foreach (var batch in events.Select(Tag).Chunk(4))
        {
            Assert.Single(batch.Select(t => (t.Writer, t.Batch)).Distinct());
            Assert.Equal([0, 1, 2, 3], batch.Select(t => t.Index));
        }
    }

    [BackendFact]
    public async Task The_highest_sequence_number_survives_deleting_every_event()
    {
        await Journal.WriteAsync([Event("a", 1), Event("a", 2), Event("a", 3)]);
        await Journal.DeleteToAsync("a", 2);
        Assert.Equal([3L], (await ReadAll("a")).Select(e => e.SequenceNr));
        await Journal.DeleteToAsync("a", long.MaxValue);
        Assert.Empty(await ReadAll("a"));
        Assert.Equal(3, await Journal.ReadHighestSequenceNrAsync("a"));
        // A writer that still believes 3 is free is stale: deleted numbers are never handed out again.
        await Assert.ThrowsAsync<JournalConcurrencyException>(() => Journal.WriteAsync([Event("a", 3)]));
        await Journal.WriteAsync([Event("a", 4)]);
        Assert.Equal(4, await Journal.ReadHighestSequenceNrAsync("a"));
    }

    [BackendFact]
    public async Task Reads_return_exactly_the_requested_range_even_across_pages()
    {
        for (var b = 0; b < 5; b++)
        {
            await Journal.WriteAsync(Enumerable.Range((b * 500) + 1, 500).Select(i => Event("big", i)).ToList());
        }

        Assert.Equal(2500, (await ReadAll("big")).Count);
        var middle = new List<long>();
        await foreach (var e in Journal.ReadAsync("big", 998, 1003))
        {
            middle.Add(e.SequenceNr);
        }

        Assert.Equal([998L, 999L, 1000L, 1001L, 1002L, 1003L], middle);
    }

    [BackendFact]
    public async Task A_batch_with_gaps_or_two_persistence_ids_is_refused_before_writing()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Journal.WriteAsync([Event("a", 1), Event("a", 3)]));
        await Assert.ThrowsAsync<ArgumentException>(() => Journal.WriteAsync([Event("a", 1), Event("b", 2)]));
        await Assert.ThrowsAsync<ArgumentException>(() => Journal.WriteAsync([Event("a", 0)]));
        Assert.Equal(0, await Journal.ReadHighestSequenceNrAsync("a"));
    }

    [BackendFact]
    public async Task The_newest_snapshot_at_or_below_the_bound_is_loaded_and_deletion_is_bounded()
    {
        await Snapshots.SaveSnapshotAsync(Snapshot("s", 5, "five"));
        await Snapshots.SaveSnapshotAsync(Snapshot("s", 10, "ten"));
        await Snapshots.SaveSnapshotAsync(Snapshot("s", 10, "ten again"));
        await Snapshots.SaveSnapshotAsync(Snapshot("other", 20, "other"));

        Assert.Equal("ten again", Payload(await Snapshots.LoadSnapshotAsync("s", long.MaxValue)));
        Assert.Equal("five", Payload(await Snapshots.LoadSnapshotAsync("s", 9)));
        Assert.Null(await Snapshots.LoadSnapshotAsync("s", 4));
        await Snapshots.DeleteSnapshotsAsync("s", 5);
        Assert.Null(await Snapshots.LoadSnapshotAsync("s", 9));
        Assert.Equal(10, (await Snapshots.LoadSnapshotAsync("s", long.MaxValue))!.SequenceNr);
        Assert.Equal("other", Payload(await Snapshots.LoadSnapshotAsync("other", long.MaxValue)));
    }

    private static JournalEvent Event(string id, long seq, string type = "added", int version = 1, string json = "{}") =>
        new(id, seq, type, version, Encoding.UTF8.GetBytes(json), DateTimeOffset.UtcNow);

    private static List<JournalEvent> Batch(string id, long from, string writer, int batch, int size)
    {
        var registry = TestRegistry.Create();
        return Enumerable.Range(0, size).Select(i =>
        {
            var (name, version, payload) = registry.Serialize(new Tagged(writer, batch, i));
            return new JournalEvent(id, from + i, name, version, payload, DateTimeOffset.UtcNow);
        }).ToList();
    }

    private static Tagged Tag(JournalEvent e) => (Tagged)TestRegistry.Create().Deserialize(e.TypeName, e.TypeVersion, e.Payload.Span);

    private static SnapshotEntry Snapshot(string id, long seq, string text) =>
        new(id, seq, "text", 1, Encoding.UTF8.GetBytes(text), DateTimeOffset.UtcNow);

    private static string? Payload(SnapshotEntry? s) => s is null ? null : Encoding.UTF8.GetString(s.Payload.Span);

    private static async Task<Exception?> Outcome(Task write)
    {
        try
        {
            await write;
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    private async Task<List<JournalEvent>> ReadAll(string id)
    {
        var list = new List<JournalEvent>();
        await foreach (var e in Journal.ReadAsync(id, 1, long.MaxValue))
        {
            list.Add(e);
        }

        return list;
    }
}
