using System.CommandLine;
using IsmFabric.Emulation;
using IsmFabric.Host;
using IsmFabric.Host.Configuration;

namespace IsmFabric.Cli.Commands;

/// <summary><c>ismfabric node run|status|peers|channels</c>: the fabric node process of this LPAR, and questions to it.</summary>
internal static class NodeCommand
{
    internal static Command Create()
    {
        var node = new Command("node", "Run the fabric node of this LPAR (real ISM functions, or an emulated LPAR), or ask the running one.");
        node.Add(RunCommand());
        node.Add(StatusCommand.Create());
        node.Add(PeersCommand.Create());
        node.Add(ChannelsCommand.Create());
        return node;
    }

    private static Command RunCommand()
    {
        var input = new NodeOptionsInput();
        var cec = new Option<string?>("--cec") { Description = "Run on an emulated CEC in this directory (Node:Cec); with --lpar." };
        var lpar = new Option<string?>("--lpar") { Description = "The emulated LPAR to attach (Node:Lpar)." };
        var logJson = new Option<bool>("--log-json") { Description = "Log JSON lines instead of text, on the console and in the file (Node:Logging:Json)." };
        var command = new Command("run", "Run the node until SIGTERM or Ctrl-C: devices up, peers probed, channels served, control socket answering.") { cec, lpar, logJson };
        input.AddTo(command);

        // A synchronous action on purpose: the Generic Host owns SIGTERM and Ctrl-C and stops the node in order;
        // an asynchronous action would have System.CommandLine cut the stop short after its own timeout.
        command.SetAction(r => NodeOptionsInput.RunAsync(async () =>
        {
            var options = input.Resolve(
                r,
                (NodeConfigurationKeys.Cec, r.GetValue(cec)),
                (NodeConfigurationKeys.Lpar, r.GetValue(lpar)),
                (NodeConfigurationKeys.LogJson, r.GetValue(logJson) ? "true" : null));
            RefuseAnAttachedLpar(options);
            try
            {
                await NodeHost.RunAsync(options, CancellationToken.None);
                return 0;
            }
            catch (Exception e) when (e is not NodeConfigurationException)
            {
                // Already in the log with its stack; the operator gets one line.
                CliOutput.Error($"node {options.Name}: {CliOutput.MessageOf(e)}");
                return 1;
            }
        }).GetAwaiter().GetResult());
        return command;
    }

    /// <summary>
    /// A node whose LPAR another process holds cannot start: say so before the node creates its data directory.
    /// Only here, not in the configuration: the clients of a running node read the same configuration.
    /// </summary>
    private static void RefuseAnAttachedLpar(NodeOptions options)
    {
        if (!options.IsEmulated)
        {
            return;
        }

        using var cec = EmulatedCec.Open(options.Cec!);
        if (cec.Snapshot().Lpars.FirstOrDefault(l => l.Name == options.Lpar) is { Attached: true } lpar)
        {
            throw new InvalidOperationException($"node {options.Name}: LPAR '{lpar.Name}' of the CEC in {options.Cec} is already attached by process {lpar.Pid}");
        }
    }
}
