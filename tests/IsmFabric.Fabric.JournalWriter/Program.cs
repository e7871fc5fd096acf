using Akka.Actor;
using Akka.Hosting;
using Akka.Persistence;
using IsmFabric.Fabric.Hosting;
using IsmFabric.Fabric.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

// A child process the journal crash tests SIGKILL:
// - in the middle of PersistAll: it writes batches of ledger events for one persistence id without pause and prints
//   "BATCH <last sequence number>" after each batch is stored.
//   Usage: IsmFabric.Fabric.JournalWriter (--sqlite PATH | --postgres CONNECTION --schema SCHEMA) --id ID --batch N
// - with channels open: a fabric node on an emulated LPAR, journaling to SQLite, opens a channel to its peer and
//   prints "OPEN <channel id>" once the ledger holds it.
//   Usage: IsmFabric.Fabric.JournalWriter --sqlite PATH --cec DIR --lpar NAME --peer NAME
var options = args.Chunk(2).ToDictionary(p => p[0], p => p[1]);
if (options.TryGetValue("--cec", out var cecDirectory))
{
    await NodeWithChannel.RunAsync(cecDirectory, options["--lpar"], options["--peer"], options["--sqlite"]);
    return;
}

var journal = options.TryGetValue("--sqlite", out var path)
    ? FabricJournalOptions.Sqlite(path)
    : FabricJournalOptions.Postgres(options["--postgres"], options["--schema"]);
var id = options["--id"];
var batch = int.Parse(options["--batch"], System.Globalization.CultureInfo.InvariantCulture);

var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
builder.Services.AddAkka("journal-writer", akka =>
{
    akka.ConfigureLoggers(l => l.ClearLoggers());
    akka.AddHocon("akka.stdout-loglevel = OFF", HoconAddMode.Prepend);
    akka.WithCustomSerializer("ismfabric", [typeof(IFabricEvent)], system => new FabricEventSerializer(system));
    akka.WithFabricJournal(journal);
});
using var host = builder.Build();
await host.StartAsync();
var system = host.Services.GetRequiredService<ActorSystem>();
system.ActorOf(Props.Create(() => new BatchWriter(id, batch)), "writer");
await system.WhenTerminated;

/// <summary>Persists batches of <see cref="ChannelOpened"/> events whose ids are their sequence numbers, forever.</summary>
internal sealed class BatchWriter : ReceivePersistentActor
{
    private readonly int _batch;

    public BatchWriter(string id, int batch)
    {
        PersistenceId = id;
        _batch = batch;
        Recover<ChannelOpened>(_ => { });
        Recover<RecoveryCompleted>(_ => Self.Tell("next"));
        Command<string>(_ => Next());
    }

    public override string PersistenceId { get; }

    private void Next()
    {
        var first = LastSequenceNr + 1;
        var last = LastSequenceNr + _batch;
        PersistAll(Enumerable.Range(0, _batch).Select(i => new ChannelOpened((first + i).ToString(System.Globalization.CultureInfo.InvariantCulture), "peer", DateTimeOffset.UtcNow)), e =>
        {
            if (e.Id == last.ToString(System.Globalization.CultureInfo.InvariantCulture))
            {
                Console.Out.WriteLine($"BATCH {last}");
                Console.Out.Flush();
                Self.Tell("next");
            }
        });
    }
}
