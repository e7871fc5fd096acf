using System.CommandLine;

namespace IsmFabric.Cli.Commands;

/// <summary><c>ismfabric channels</c>: the running node's channels with their path and traffic.</summary>
internal static class ChannelsCommand
{
    internal static Command Create()
    {
        var input = new NodeClientInput();
        var command = new Command("channels", "Ask the local node about its channels: peer, state, carrying device, traffic.");
        input.AddTo(command);
        command.SetAction((r, ct) => NodeOptionsInput.RunAsync(async () =>
        {
            var channels = await input.Client(r).GetChannelsAsync(ct);
            if (r.GetValue(input.Json))
            {
                CliOutput.WriteJson(channels);
            }
            else
            {
                Tables.Channels(channels);
            }

            return 0;
        }));
        return command;
    }
}
