using System.CommandLine;
using IsmFabric.Emulation;
using Spectre.Console;

namespace IsmFabric.Cli.Commands;

/// <summary><c>ismfabric devices</c>: the ISM functions a node on this LPAR would manage.</summary>
internal static class DevicesCommand
{
    internal static Command Create()
    {
        var cec = new Option<string?>("--cec") { Description = "An emulated CEC directory; with --lpar, list that LPAR's functions." };
        var lpar = new Option<string?>("--lpar") { Description = "The emulated LPAR (with --cec)." };
        var sysfs = new Option<string>("--sysfs") { Description = "The sysfs root to scan for real ISM functions.", DefaultValueFactory = _ => "/sys" };
        var json = new Option<bool>("--json") { Description = "Print as JSON." };
        var socket = new Option<string?>("--socket") { Description = "Ask the node listening on this control socket for its devices (state, DMBs, restarts) instead." };
        var command = new Command("devices", "List the ISM functions of this LPAR: real ones from sysfs, or those of an emulated LPAR.") { cec, lpar, sysfs, json, socket };
        command.SetAction(r => CliOutput.Run(() =>
        {
            if (r.GetValue(socket) is { } path)
            {
                var devices = new Host.Control.ControlClient(path).GetDevicesAsync(CancellationToken.None).GetAwaiter().GetResult();
                if (r.GetValue(json))
                {
                    CliOutput.WriteJson(devices);
                }
                else
                {
                    Tables.Devices(devices);
                }

                return 0;
            }

            var entries = r.GetValue(cec) is { } dir
                ? Emulated(dir, r.GetValue(lpar) ?? throw new ArgumentException("--cec needs --lpar NAME"))
                : RealDevices.Scan(r.GetValue(sysfs)!);
            if (r.GetValue(json))
            {
                CliOutput.WriteJson(entries);
                return 0;
            }

            if (entries.Count == 0)
            {
                Console.WriteLine("no ISM functions found");
                return 0;
            }

            var table = new Table().AddColumns("device", "source", "FID", "CHID", "GID", "PNETID", "state", "IOMMU group");
            foreach (var e in entries)
            {
                table.AddRow(e.Name, e.Source, $"0x{e.Fid:x}", $"0x{e.Chid:x4}", e.Gid ?? "-", e.Pnetid, e.State, e.IommuGroup?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-");
            }

            AnsiConsole.Write(table);
            return 0;
        }));
        return command;
    }

    private static List<IsmDeviceEntry> Emulated(string dir, string lpar)
    {
        using var cec = EmulatedCec.Open(dir);
        if (!cec.Definition.Lpars.Any(l => l.Name == lpar))
        {
            throw new ArgumentException($"the CEC in {dir} has no LPAR '{lpar}' (it has {string.Join(", ", cec.Definition.Lpars.Select(l => l.Name))})");
        }

        return cec.Snapshot().Functions.Where(f => f.Lpar == lpar)
            .Select(f => new IsmDeviceEntry($"ism-{f.Fid:x8}", "emulated", f.Fid, f.Chid, $"0x{f.Gid:x16}", f.Pnetid, f.State, null))
            .ToList();
    }
}
