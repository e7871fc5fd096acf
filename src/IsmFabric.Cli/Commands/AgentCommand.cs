using System.CommandLine;
using IsmFabric.Cli.Agent;

namespace IsmFabric.Cli.Commands;

/// <summary>
/// <c>ismfabric agent …</c> (hidden): single-purpose LPAR processes driven over stdin/stdout by the multi-process
/// tests and the benchmarks.
/// </summary>
internal static class AgentCommand
{
    internal static Command Create()
    {
        var agent = new Command("agent", "LPAR processes for tests and benchmarks, driven over stdin/stdout.") { Hidden = true };
        agent.Add(Stream("stream-receiver", StreamAgents.Receive));
        agent.Add(Stream("stream-sender", StreamAgents.Send));

        var cec = new Option<string>("--cec") { Required = true, Description = "The CEC directory." };
        var lpar = new Option<string>("--lpar") { Required = true, Description = "The LPAR to attach." };
        var peer = new Command("bench-peer", "The far side of 'bench moves'.") { cec, lpar };
        peer.SetAction(r => CliOutput.Run(() => BenchPeer.Run(r.GetValue(cec)!, r.GetValue(lpar)!)));
        agent.Add(peer);

        var nodeCec = new Option<string>("--cec") { Required = true, Description = "The CEC directory." };
        var nodeLpar = new Option<string>("--lpar") { Required = true, Description = "The LPAR to attach." };
        var logLevel = new Option<string>("--log-level") { DefaultValueFactory = _ => "Warning", Description = "Minimum log level on stderr." };
        var fabricNode = new Command("fabric-node", "A fabric node with a test service (echo, sink, check), driven over stdin/stdout.") { nodeCec, nodeLpar, logLevel };
        fabricNode.SetAction((r, ct) => CliOutput.RunAsync(() => FabricNodeAgent.RunAsync(r.GetValue(nodeCec)!, r.GetValue(nodeLpar)!, r.GetValue(logLevel)!)));
        agent.Add(fabricNode);
        return agent;
    }

    private static Command Stream(string name, Func<string, string, ulong, long, int, int> run)
    {
        var cec = new Option<string>("--cec") { Required = true, Description = "The CEC directory." };
        var lpar = new Option<string>("--lpar") { Required = true, Description = "The LPAR to attach." };
        var seed = new Option<ulong>("--seed") { DefaultValueFactory = _ => 1, Description = "Seed of the pseudo-random data." };
        var bytes = new Option<long>("--bytes") { DefaultValueFactory = _ => 256L << 20, Description = "Bytes to transfer." };
        var chunk = new Option<int>("--chunk") { DefaultValueFactory = _ => 1 << 20, Description = "Chunk size (the DMB size), at most 1 MiB." };
        var command = new Command(name, $"One side of a verified transfer ({name}).") { cec, lpar, seed, bytes, chunk };
        command.SetAction(r => CliOutput.Run(() =>
            run(r.GetValue(cec)!, r.GetValue(lpar)!, r.GetValue(seed), r.GetValue(bytes), r.GetValue(chunk))));
        return command;
    }
}
