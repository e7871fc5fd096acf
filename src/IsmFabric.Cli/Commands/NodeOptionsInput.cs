using System.CommandLine;
using IsmFabric.Host.Configuration;

namespace IsmFabric.Cli.Commands;

/// <summary>
/// The options by which a command names a node's configuration (<c>--config</c>, <c>--name</c>,
/// <c>--data-dir</c>), turned into validated <see cref="NodeOptions"/> the same way <c>node run</c> does, so a
/// client finds the socket of the node started with the same options.
/// </summary>
internal sealed class NodeOptionsInput
{
    internal Option<string?> Config { get; } = new("--config") { Description = "A JSON configuration file (shaped like config/ismfabric.json) over the shipped defaults." };

    internal Option<string?> Name { get; } = new("--name") { Description = "The node's name (Node:Name); default the LPAR name, else the host name." };

    internal Option<string?> DataDir { get; } = new("--data-dir") { Description = "The node's data directory (Node:DataDirectory); default ./ismfabric-data/<name>." };

    internal void AddTo(Command command)
    {
        command.Add(Config);
        command.Add(Name);
        command.Add(DataDir);
    }

    /// <summary>Builds the options: shipped defaults, --config, ISMFABRIC_ variables, then these and <paramref name="extra"/> options.</summary>
    internal NodeOptions Resolve(ParseResult result, params (string Key, string? Value)[] extra)
    {
        var overrides = new List<KeyValuePair<string, string?>>
        {
            new(NodeConfigurationKeys.Name, result.GetValue(Name)),
            new(NodeConfigurationKeys.DataDirectory, result.GetValue(DataDir)),
        };
        overrides.AddRange(extra.Select(e => new KeyValuePair<string, string?>(e.Key, e.Value)));
        return NodeOptions.FromConfiguration(NodeConfiguration.Build(result.GetValue(Config), overrides));
    }

    /// <summary>Runs a command body; a configuration error is one line on stderr and exit code 2.</summary>
    internal static async Task<int> RunAsync(Func<Task<int>> body)
    {
        try
        {
            return await CliOutput.RunAsync(body);
        }
        catch (NodeConfigurationException e)
        {
            CliOutput.Error(e.Message);
            return 2;
        }
    }
}
