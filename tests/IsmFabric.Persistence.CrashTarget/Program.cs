using IsmFabric.Actors;
using IsmFabric.Persistence;
using IsmFabric.Persistence.CrashTarget;

// Usage: crash-target sqlite <db-path> <persistence-id> <batch-size>
//        crash-target postgres <connection-string> <schema> <persistence-id> <batch-size>
Console.Out.Flush();
var autoFlush = new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true };
Console.SetOut(autoFlush);
IEventJournal journal;
ISnapshotStore snapshots;
string persistenceId;
int batchSize;
if (args[0] == "sqlite")
{
    var sqlite = await SqliteJournal.OpenAsync(args[1]);
    (journal, snapshots, persistenceId, batchSize) = (sqlite, sqlite, args[2], int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
}
else
{
    var postgres = await PostgresJournal.OpenAsync(args[1], args[2]);
    (journal, snapshots, persistenceId, batchSize) = (postgres, postgres, args[3], int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture));
}

var registry = new EventTypeRegistry().Register<CrashEvent>("crash-event", 1);
var system = ActorSystem.Create("crash");
PersistenceExtension.Register(system, journal, snapshots, registry);
system.ActorOf(Props.Create(() => new CrashWriter(persistenceId, batchSize)), "writer");
Console.Out.WriteLine("started");
await system.WhenTerminated;
return 0;
