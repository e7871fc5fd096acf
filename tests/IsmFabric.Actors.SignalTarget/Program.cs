using IsmFabric.Actors;
using IsmFabric.Actors.SignalTarget;

// Builds a three-level actor tree, hooks SIGTERM, prints "ready", and waits for the signal.
Console.SetOut(new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true });
var system = ActorSystem.Create("signal");
using var hook = SigtermShutdownHook.Install(system, TimeSpan.FromSeconds(10));
var root = system.ActorOf(Props.Create(() => new TreeNode(2)), "root");
await root.Ask("ping", TimeSpan.FromSeconds(10));
Console.Out.WriteLine("ready");
await system.WhenTerminated;
Console.Out.WriteLine("terminated");
return 0;
