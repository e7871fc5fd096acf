using Microsoft.Extensions.Configuration;

namespace IsmFabric.Host.Configuration;

/// <summary>
/// Builds a node's configuration in precedence order: the shipped <c>config/ismfabric.json</c>, then an optional
/// file given with <c>--config</c>, then <c>ISMFABRIC_</c> environment variables, then command-line options.
/// </summary>
public static class NodeConfiguration
{
    /// <summary>The prefix of environment variables read as configuration (<c>ISMFABRIC_Node__Name</c> is <c>Node:Name</c>).</summary>
    public const string EnvironmentPrefix = "ISMFABRIC_";

    /// <summary>The shipped defaults, beside the binaries.</summary>
    public static string DefaultFile => Path.Combine(AppContext.BaseDirectory, "config", "ismfabric.json");

    /// <summary>
    /// Builds the configuration. <paramref name="configFile"/> must exist when given; <paramref name="overrides"/>
    /// are command-line values by key (null values are ignored); <paramref name="environmentPrefix"/> lets tests
    /// use variables of their own.
    /// </summary>
    public static IConfigurationRoot Build(
        string? configFile, IEnumerable<KeyValuePair<string, string?>>? overrides = null, string environmentPrefix = EnvironmentPrefix)
    {
        var builder = new ConfigurationBuilder();
        builder.AddJsonFile(DefaultFile, optional: true, reloadOnChange: false);
        if (configFile is not null)
        {
            var full = Path.GetFullPath(configFile);
            if (!File.Exists(full))
            {
                throw new NodeConfigurationException("--config", $"{full} does not exist; accepted: a JSON file shaped like config/ismfabric.json");
            }

            builder.AddJsonFile(full, optional: false, reloadOnChange: false);
        }

        builder.AddEnvironmentVariables(environmentPrefix);
        builder.AddInMemoryCollection((overrides ?? []).Where(o => o.Value is not null));
        try
        {
            return builder.Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException)
        {
            // The JSON provider reports a syntax error this way; name the file it came from.
            throw new NodeConfigurationException(configFile ?? DefaultFile, e.InnerException?.Message ?? e.Message);
        }
    }
}
