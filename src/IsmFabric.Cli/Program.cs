using System.CommandLine;
using IsmFabric.Cli.Commands;

namespace IsmFabric.Cli;

/// <summary>The <c>ismfabric</c> command: the emulated CEC, the devices of this LPAR, benchmarks.</summary>
public static class Program
{
    /// <summary>Parses the command line and runs the command; the exit code is 0 on success.</summary>
    public static int Main(string[] args)
    {
        if (args is ["agent", "hello"])
        {
            // The baseline of 'bench actors' node_start_ms: a bare start of this executable, nothing parsed or loaded.
            Console.WriteLine("hello");
            return 0;
        }

        var root = new RootCommand("IsmFabric: the user-space ISM stack for Linux on IBM Z (consoles and block devices between LPARs).")
        {
            UpCommand.Create(),
            CecCommand.Create(),
            DevicesCommand.Create(),
            BenchCommand.Create(),
            AgentCommand.Create(),
            NodeCommand.Create(),
            StatusCommand.Create(),
            PeersCommand.Create(),
            ChannelsCommand.Create(),
        };
        return root.Parse(args).Invoke();
    }
}
