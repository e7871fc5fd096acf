using System.Diagnostics;
using IsmFabric.Fabric.Persistence;

namespace IsmFabric.Fabric.Tests.Journal;

/// <summary>
/// What the node's journal must guarantee, run on each back end: a batch written by PersistAll survives a SIGKILL
/// whole or not at all; two writers of one persistence id cannot interleave; a write the journal cannot take is
/// rejected and the actor told; an event of a manifest this build does not know fails recovery with its name.
/// Each back end's class runs these as its facts.
/// </summary>
public abstract class JournalSpec : IAsyncLifetime
{
    private const int Batch = 100;

    /// <summary>A fresh journal for one test.</summary>
    protected abstract FabricJournalOptions Journal { get; }

    /// <summary>The writer child's arguments that point it at <see cref="Journal"/>.</summary>
    protected abstract string[] WriterArguments { get; }

    /// <summary>Sets the manifest of every stored event of <paramref name="persistenceId"/>, behind Akka's back.</summary>
    protected abstract Task SetManifestAsync(string persistenceId, string manifest);

    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    protected async Task A_process_killed_in_the_middle_of_PersistAll_recovers_whole_batches_onlyCore()
    {
        for (var round = 0; round < 3; round++)
        {
            var id = $"crash-{round}";
            var before = await CountAsync(id);
            using (var writer = StartWriter(id))
            {
                try
                {
                    // Let it store a few batches, then kill it at an arbitrary point of the next ones.
                    var batches = 0;
                    while (batches < 3 + round)
                    {
                        var line = await writer.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                        Assert.NotNull(line);
                        if (line.StartsWith("BATCH ", StringComparison.Ordinal))
                        {
                            batches++;
                        }
                    }

                    Thread.SpinWait(Random.Shared.Next(1, 200_000));
                }
                finally
                {
                    writer.Kill(entireProcessTree: true);
                    await writer.WaitForExitAsync();
                }
            }

            await using var host = await JournalHost.StartAsync(Journal);
            var recovered = await host.RecoverAsync(id);
            Assert.Null(recovered.Failure);
            Assert.True(recovered.Events.Count >= 3 * Batch, $"only {recovered.Events.Count} events survived");
            Assert.Equal(0, recovered.Events.Count % Batch);
            for (var i = 0; i < recovered.Events.Count; i++)
            {
                Assert.Equal(i + 1, recovered.Events[i].Sequence);
                Assert.Equal((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), ((ChannelOpened)recovered.Events[i].Event).Id);
            }

            Assert.Equal(0, before);
        }
    }

    protected async Task Two_writers_of_one_persistence_id_cannot_interleave_one_of_them_failsCore()
    {
        await using var first = await JournalHost.StartAsync(Journal, "writer-a");
        await using var second = await JournalHost.StartAsync(Journal, "writer-b");
        var a = await first.RecoverAsync("contended");
        var b = await second.RecoverAsync("contended");
        Assert.Empty(a.Events);
        Assert.Empty(b.Events);

        var outcomes = await Task.WhenAll(
            a.WriteAsync(Events("a", 10)),
            b.WriteAsync(Events("b", 10)));
        Assert.Single(outcomes, o => o == "stored");
        Assert.Single(outcomes, o => o.StartsWith("failed: ", StringComparison.Ordinal));

        await using var reader = await JournalHost.StartAsync(Journal, "reader");
        var stored = await reader.RecoverAsync("contended");
        Assert.Equal(10, stored.Events.Count);
        var winner = outcomes[0] == "stored" ? "a" : "b";
        Assert.All(stored.Events, e => Assert.StartsWith(winner, ((ChannelOpened)e.Event).Id, StringComparison.Ordinal));
    }

    protected async Task A_write_the_journal_cannot_take_is_rejected_the_actor_is_told_and_goes_onCore()
    {
        await using var host = await JournalHost.StartAsync(Journal);
        var recorder = await host.RecoverAsync("rejects");
        var outcome = await recorder.WriteAsync(new NotJournaled("x"));
        Assert.StartsWith("rejected: ", outcome, StringComparison.Ordinal);
        Assert.Contains("NotJournaled is not a journaled fabric event", outcome, StringComparison.Ordinal);

        Assert.Equal("stored", await recorder.WriteAsync(Events("ok", 2)));
        await using var reader = await JournalHost.StartAsync(Journal, "reader");
        Assert.Equal(2, (await reader.RecoverAsync("rejects")).Events.Count);
    }

    protected async Task An_event_of_an_unknown_manifest_fails_recovery_with_an_error_that_names_itCore()
    {
        await using (var host = await JournalHost.StartAsync(Journal))
        {
            var recorder = await host.RecoverAsync("future");
            Assert.Equal("stored", await recorder.WriteAsync(Events("f", 3)));
        }

        await SetManifestAsync("future", "fabric.channel-opened.v9");
        await using var again = await JournalHost.StartAsync(Journal);
        var recovered = await again.RecoverAsync("future");
        Assert.NotNull(recovered.Failure);
        Assert.Contains("unknown journal manifest 'fabric.channel-opened.v9'", recovered.Failure.Message, StringComparison.Ordinal);
    }

    protected async Task The_channel_ledger_snapshots_and_recovers_from_its_snapshotCore()
    {
        // Written through the serializer and the snapshot store the node uses, then read back.
        await using (var host = await JournalHost.StartAsync(Journal))
        {
            var recorder = await host.RecoverAsync("ledger-like");
            Assert.Equal("stored", await recorder.WriteAsync(Events("s", 5)));
        }

        var serializer = new FabricEventSerializer((Akka.Actor.ExtendedActorSystem)Akka.Actor.ActorSystem.Create("serializer"));
        var snapshot = new ChannelLedgerSnapshot(7, 5, new Dictionary<string, string> { ["a/1"] = "lpar2" });
        var back = (ChannelLedgerSnapshot)serializer.FromBinary(serializer.ToBinary(snapshot), serializer.Manifest(snapshot));
        Assert.Equal(7, back.Opened);
        Assert.Equal("lpar2", back.Open["a/1"]);
    }

    private static IFabricEvent[] Events(string prefix, int count) =>
        Enumerable.Range(0, count).Select(i => (IFabricEvent)new ChannelOpened($"{prefix}{i}", "peer", DateTimeOffset.UtcNow)).ToArray();

    private async Task<int> CountAsync(string id)
    {
        await using var host = await JournalHost.StartAsync(Journal);
        return (await host.RecoverAsync(id)).Events.Count;
    }

    private Process StartWriter(string id)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "IsmFabric.Fabric.JournalWriter.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (var a in WriterArguments.Concat(["--id", id, "--batch", Batch.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi) ?? throw new IOException("could not start the journal writer");
    }

    /// <summary>An event type our serializer has no manifest for.</summary>
    private sealed record NotJournaled(string Value) : IFabricEvent;
}
