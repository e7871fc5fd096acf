using System.CommandLine;
using System.Globalization;
using Spectre.Console;

namespace IsmFabric.Cli.Commands;

/// <summary><c>ismfabric status</c>: the running node at a glance, with its devices and peers.</summary>
internal static class StatusCommand
{
    internal static Command Create()
    {
        var input = new NodeClientInput();
        var command = new Command("status", "Ask the local node how it is: devices up, peers reachable, channels open.");
        input.AddTo(command);
        command.SetAction((r, ct) => NodeOptionsInput.RunAsync(async () =>
        {
            var client = input.Client(r);
            var status = await client.GetStatusAsync(ct);
            if (r.GetValue(input.Json))
            {
                CliOutput.WriteJson(status);
                return 0;
            }

            var devices = await client.GetDevicesAsync(ct);
            var peers = await client.GetPeersAsync(ct);
            var uptime = DateTimeOffset.UtcNow - status.StartedAt;
            var grid = new Grid().AddColumn().AddColumn();
            grid.AddRow("node", Markup.Escape(status.Node));
            grid.AddRow("started", $"{status.StartedAt.ToLocalTime():yyyy-MM-dd HH:mm:ss} ({uptime.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s ago)");
            grid.AddRow("devices", $"{status.DevicesUp}/{status.Devices} up");
            grid.AddRow("peers", $"{status.PeersReachable}/{status.Peers} reachable");
            grid.AddRow("channels", $"{status.ChannelsOpen} open of {status.Channels}");
            AnsiConsole.Write(grid);
            Tables.Devices(devices);
            Tables.Peers(peers);
            return 0;
        }));
        return command;
    }
}
