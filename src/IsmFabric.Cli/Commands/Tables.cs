using System.Globalization;
using IsmFabric.Fabric.Protocol;
using Spectre.Console;

namespace IsmFabric.Cli.Commands;

/// <summary>The tables the node commands print (what <c>--json</c> prints as data).</summary>
internal static class Tables
{
    internal static void Devices(IReadOnlyList<DeviceStatus> devices)
    {
        if (devices.Count == 0)
        {
            Console.WriteLine("no ISM functions");
            return;
        }

        var table = new Table().Title("devices").AddColumns("device", "FID", "CHID", "GID", "PNETID", "state", "DMBs", "restarts", "last error");
        foreach (var d in devices)
        {
            table.AddRow(
                Markup.Escape(d.Name), $"0x{d.Fid:x}", $"0x{d.Chid:x4}", d.Gid.Length == 0 ? "-" : d.Gid, Markup.Escape(d.Pnetid), Markup.Escape(d.State.Text()),
                Number(d.Dmbs), Number(d.Restarts), Markup.Escape(d.LastError ?? "-"));
        }

        AnsiConsole.Write(table);
    }

    internal static void Peers(IReadOnlyList<PeerStatus> peers)
    {
        if (peers.Count == 0)
        {
            Console.WriteLine("no peers configured");
            return;
        }

        var table = new Table().Title("peers").AddColumns("peer", "GIDs", "reachable", "answering GIDs", "last seen", "keepalive RTT", "channels");
        foreach (var p in peers)
        {
            table.AddRow(
                Markup.Escape(p.Name), string.Join("\n", p.Gids), p.Reachable ? "[green]yes[/]" : "[red]no[/]",
                p.ReachableGids.Count == 0 ? "-" : string.Join("\n", p.ReachableGids),
                p.LastSeen?.ToLocalTime().ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture) ?? "-",
                p.KeepaliveRttMicroseconds is { } rtt ? $"{rtt.ToString("0.0", CultureInfo.InvariantCulture)} µs" : "-",
                Number(p.Channels));
        }

        AnsiConsole.Write(table);
    }

    internal static void Channels(IReadOnlyList<ChannelStatus> channels)
    {
        if (channels.Count == 0)
        {
            Console.WriteLine("no channels");
            return;
        }

        var table = new Table().Title("channels").AddColumns("channel", "peer", "state", "device", "epoch", "sent", "received", "reason");
        foreach (var c in channels)
        {
            table.AddRow(
                Markup.Escape(c.Id), Markup.Escape(c.Peer), Markup.Escape(c.State.Text()), Markup.Escape(c.Device), Number(c.PathEpoch),
                $"{Number(c.MessagesSent)} msgs / {Number(c.BytesSent)} B", $"{Number(c.MessagesReceived)} msgs / {Number(c.BytesReceived)} B",
                Markup.Escape(c.Reason ?? "-"));
        }

        AnsiConsole.Write(table);
    }

    private static string Number(long n) => n.ToString(CultureInfo.InvariantCulture);
}
