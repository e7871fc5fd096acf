namespace IsmFabric.Cli;

/// <summary>The ismfabric command: entry point.</summary>
public static class Program
{
    /// <summary>Runs the command line.</summary>
    public static int Main(string[] args) => args.Length == 0 ? 0 : 0;
}
