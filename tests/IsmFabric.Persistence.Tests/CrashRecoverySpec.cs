using System.Diagnostics;
using IsmFabric.Persistence.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace IsmFabric.Persistence.Tests;

/// <summary>
/// A real child process persists PersistAll batches in a loop and is killed with SIGKILL at a random moment,
/// several times over; each time the journal must hold whole batches only, with no gap.
/// </summary>
public abstract class CrashRecoverySpec : IAsyncLifetime
{
    private const int BatchSize = 200;
    private readonly Func<StoreFactory> _createFactory;
    private readonly ITestOutputHelper _output;
    private StoreFactory? _factory;

    protected CrashRecoverySpec(ITestOutputHelper output, Func<StoreFactory> createFactory)
    {
        _output = output;
        _createFactory = createFactory;
    }

    public Task InitializeAsync()
    {
        _factory = _createFactory();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }

    [BackendFact]
    public async Task A_process_killed_with_SIGKILL_during_PersistAll_recovers_whole_batches_and_never_a_gap()
    {
        var (journal, _) = await _factory!.OpenAsync();
        var random = new Random(Environment.TickCount);
        long previousDurable = 0;
        for (var round = 0; round < 4; round++)
        {
            var confirmed = await RunAndKill(random);
            var events = await ReadAll(journal);
            _output.WriteLine($"round {round}: child confirmed {confirmed}, journal holds {events.Count}");

            Assert.Equal(Enumerable.Range(1, events.Count).Select(i => (long)i), events.Select(e => e.SequenceNr));
            Assert.Equal(0, events.Count % BatchSize);
            var registry = TestRegistry.Create();
            var decoded = events.Select(e => (CrashEvent)registry.Deserialize(e.TypeName, e.TypeVersion, e.Payload.Span)).ToList();
            foreach (var (batch, i) in decoded.Chunk(BatchSize).Select((b, i) => (b, i)))
            {
                Assert.All(batch, e => Assert.Equal(i, e.Batch));
                Assert.Equal(Enumerable.Range(0, BatchSize), batch.Select(e => e.Index));
            }

            // Everything the child saw as durable (its handler ran) survived, and nothing went backwards.
            Assert.True(events.Count >= confirmed, $"child confirmed {confirmed} but only {events.Count} survived");
            Assert.True(events.Count >= previousDurable);
            previousDurable = events.Count;
        }

        Assert.True(previousDurable >= 4 * BatchSize, "the child made too little progress to test anything");
    }

    private static async Task<List<JournalEvent>> ReadAll(IEventJournal journal)
    {
        var list = new List<JournalEvent>();
        await foreach (var e in journal.ReadAsync("crash", 1, long.MaxValue))
        {
            list.Add(e);
        }

        return list;
    }

    private async Task<long> RunAndKill(Random random)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "IsmFabric.Persistence.CrashTarget.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        foreach (var a in _factory!.CrashTargetArguments("crash", BatchSize))
        {
            start.ArgumentList.Add(a);
        }

        using var child = Process.Start(start)!;
        long confirmed = 0;
        var batchesSeen = 0;
        var killAfter = random.Next(2, 5);
        var stderr = child.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            while (await child.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.StartsWith("persisted ", StringComparison.Ordinal))
                {
                    confirmed = long.Parse(line["persisted ".Length..], System.Globalization.CultureInfo.InvariantCulture);
                    if (++batchesSeen == killAfter)
                    {
                        // Land somewhere inside the next batch's write.
                        Thread.SpinWait(random.Next(0, 200_000));
                        child.Kill();
                        break;
                    }
                }
            }
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
        }

        await child.WaitForExitAsync();
        Assert.True(batchesSeen == killAfter, $"the child exited by itself: {await stderr}");
        return confirmed;
    }
}
