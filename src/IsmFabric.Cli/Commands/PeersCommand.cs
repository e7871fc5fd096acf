using System.CommandLine;

namespace IsmFabric.Cli.Commands;

/// <summary><c>ismfabric peers</c>: the running node's peers and whether they answer keepalives.</summary>
internal static class PeersCommand
{
    internal static Command Create()
    {
        var input = new NodeClientInput();
        var command = new Command("peers", "Ask the local node about its peers: GIDs, reachability, keepalive round trip, channels.");
        input.AddTo(command);
        command.SetAction((r, ct) => NodeOptionsInput.RunAsync(async () =>
        {
            var peers = await input.Client(r).GetPeersAsync(ct);
            if (r.GetValue(input.Json))
            {
                CliOutput.WriteJson(peers);
            }
            else
            {
                Tables.Peers(peers);
            }

            return 0;
        }));
        return command;
    }
}
