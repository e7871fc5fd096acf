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
        OptionRules.RefuseEmptyValues(root);
        var result = root.Parse(args);
        if (CommandLineErrors.Describe(result) is { } error)
        {
            CliOutput.Error(error);
            return CliOutput.UsageError;
        }

        try
        {
            // Our own handler below, not System.CommandLine's, which prints the exception with its stack trace.
            return result.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            // A failure no command expected (a bug): still one line, with the exception's type to report.
            CliOutput.Error($"unexpected {e.GetType().Name}: {CliOutput.MessageOf(e)}");
            return 1;
        }
    }
}
