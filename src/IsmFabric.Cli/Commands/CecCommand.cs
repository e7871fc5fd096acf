using System.CommandLine;
using IsmFabric.Emulation;
using Spectre.Console;

namespace IsmFabric.Cli.Commands;

/// <summary><c>ismfabric cec create|show|fault</c>: the emulated CEC.</summary>
internal static class CecCommand
{
    internal static Command Create()
    {
        var cec = new Command("cec", "Create, inspect and break an emulated CEC (a machine with LPARs and ISM functions).");
        cec.Add(CreateCommand());
        cec.Add(ShowCommand());
        cec.Add(FaultCommand());
        return cec;
    }

    private static Option<string> DirOption() => new("--dir") { Description = "The CEC directory (shared memory files live here).", Required = true };

    private static Command CreateCommand()
    {
        var dir = DirOption();
        var name = new Option<string>("--name") { Description = "The CEC's name.", DefaultValueFactory = _ => "cec1" };
        var lpars = new Option<int>("--lpars") { Description = $"Number of LPARs (1..{CecDefinition.MaxLpars}).", DefaultValueFactory = _ => 3 }
            .InRange(1, CecDefinition.MaxLpars);
        var functions = new Option<int>("--functions-per-lpar") { Description = $"ISM functions per LPAR, spread over the CHIDs ({CecDefinition.MaxFunctions} in all at most).", DefaultValueFactory = _ => 2 }
            .InRange(1, CecDefinition.MaxFunctions);
        var chids = new Option<string>("--chids") { Description = $"Comma-separated CHIDs (hex with 0x; 0x0000..0x{CecDefinition.FirstReservedChid - 1:x4}).", DefaultValueFactory = _ => "0x0100,0x0200" }
            .Accepts(ChidsProblem);
        var pnetids = new Option<string>("--pnetids") { Description = "Comma-separated PNETIDs, one per CHID (1..16 letters or digits each).", DefaultValueFactory = _ => "NETA,NETB" }
            .Accepts(PnetidsProblem);
        var memory = new Option<int>("--memory-mib") { Description = $"DMA-able memory per LPAR in MiB ({MinMemoryMib}..{MaxMemoryMib}).", DefaultValueFactory = _ => 64 }
            .InRange(MinMemoryMib, MaxMemoryMib);
        var json = new Option<bool>("--json") { Description = "Print the created CEC as JSON." };
        var command = new Command("create", "Create an emulated CEC in a directory.") { dir, name, lpars, functions, chids, pnetids, memory, json };
        command.SetAction(r => CliOutput.Run(() =>
        {
            var chidList = List(r.GetValue(chids)!).Select(c => (ushort)HexNumber.Parse(c, "CHID", 0xFFFF)).ToList();
            var pnetList = List(r.GetValue(pnetids)!);
            if ((long)r.GetValue(lpars) * r.GetValue(functions) is var total and > CecDefinition.MaxFunctions)
            {
                throw new ArgumentException(
                    $"--functions-per-lpar: {r.GetValue(lpars)} LPARs × {r.GetValue(functions)} functions are {total}; accepted: at most {CecDefinition.MaxFunctions} functions in all");
            }

            var definition = CecDefinition.Build(r.GetValue(name)!, r.GetValue(lpars), r.GetValue(functions), chidList, pnetList, (long)r.GetValue(memory) << 20);
            using var created = EmulatedCec.Create(r.GetValue(dir)!, definition);
            if (r.GetValue(json))
            {
                CliOutput.WriteJson(definition);
            }
            else
            {
                Console.WriteLine($"created CEC '{definition.Name}' in {created.Directory}: {definition.Lpars.Count} LPARs, {definition.Functions.Count} ISM functions");
                PrintFunctions(created.Snapshot());
            }

            return 0;
        }));
        return command;
    }

    private static int MinMemoryMib => (int)(CecDefinition.MinLparMemoryBytes >> 20);

    private static int MaxMemoryMib => (int)(CecDefinition.MaxLparMemoryBytes >> 20);

    private static List<string> List(string text) => text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private static string? ChidsProblem(string text)
    {
        var accepted = $"accepted: 0x0000..0x{CecDefinition.FirstReservedChid - 1:x4}, comma-separated (hex with 0x)";
        if (List(text).Count == 0)
        {
            return $"no CHID given; {accepted}";
        }

        foreach (var c in List(text))
        {
            if (!HexNumber.TryParse(c, 0xFFFF, out var chid))
            {
                return $"'{c}' is not a CHID; {accepted}";
            }

            if (chid >= CecDefinition.FirstReservedChid)
            {
                return $"0x{chid:x4} is reserved (0xff00..0xfffe for virtio-ism, 0xffff for loopback); {accepted}";
            }
        }

        return null;
    }

    private static string? PnetidsProblem(string text) =>
        List(text).FirstOrDefault(p => !CecDefinition.IsPnetid(p)) is { } bad
            ? $"'{bad}' is not a PNETID; accepted: 1..16 letters A-Z or digits 0-9 each (stored upper case), comma-separated"
            : null;

    private static Command ShowCommand()
    {
        var dir = DirOption();
        var json = new Option<bool>("--json") { Description = "Print as JSON." };
        var command = new Command("show", "Show LPARs, functions (GID, CHID, PNETID, state, faults) and the DMBs in use with their owners.") { dir, json };
        command.SetAction(r => CliOutput.Run(() =>
        {
            using var cec = EmulatedCec.Open(r.GetValue(dir)!);
            var snapshot = cec.Snapshot();
            if (r.GetValue(json))
            {
                CliOutput.WriteJson(snapshot);
                return 0;
            }

            var lparTable = new Table().Title($"CEC {snapshot.Name} ({snapshot.Directory})").AddColumns("LPAR", "attached", "pid", "memory");
            foreach (var l in snapshot.Lpars)
            {
                lparTable.AddRow(l.Name, l.Attached ? "yes" : "no", l.Pid?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-", $"{l.MemoryBytes >> 20} MiB");
            }

            AnsiConsole.Write(lparTable);
            PrintFunctions(snapshot);
            var dmbTable = new Table().Title($"DMBs in use: {snapshot.Dmbs.Count}").AddColumns("token", "owner LPAR", "owner FID", "owner GID", "writer GID (rgid)", "length", "slot");
            foreach (var d in snapshot.Dmbs)
            {
                dmbTable.AddRow($"0x{d.Token:x12}", d.OwnerLpar, $"0x{d.OwnerFid:x}", $"0x{d.OwnerGid:x16}", $"0x{d.Rgid:x16}", d.Length.ToString(System.Globalization.CultureInfo.InvariantCulture), d.SbaIndex.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }

            AnsiConsole.Write(dmbTable);
            return 0;
        }));
        return command;
    }

    private static void PrintFunctions(CecSnapshot snapshot)
    {
        var table = new Table().Title("ISM functions").AddColumns("FID", "LPAR", "CHID", "GID", "PNETID", "state", "SBA/IEQ", "DMBs", "faults");
        foreach (var f in snapshot.Functions)
        {
            table.AddRow(
                $"0x{f.Fid:x}", f.Lpar, $"0x{f.Chid:x4}", $"0x{f.Gid:x16}", f.Pnetid, f.State,
                f.SbaRegistered && f.IeqRegistered ? "yes" : "no", f.DmbCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
                Markup.Escape(f.Faults.Count == 0 ? "-" : string.Join(", ", f.Faults)));
        }

        AnsiConsole.Write(table);
    }

    private static Command FaultCommand()
    {
        var dir = DirOption();
        var fid = new Option<string>("--fid") { Description = "The function (FID, hex with 0x).", Required = true };
        var error = new Option<bool>("--error") { Description = "Put the function into the error state." };
        var recover = new Option<bool>("--recover") { Description = "Take it out of the error state (its LPAR must reset it)." };
        var unplug = new Option<bool>("--unplug") { Description = "Unplug the function." };
        var replug = new Option<bool>("--replug") { Description = "Plug an unplugged function back." };
        var failCommands = new Option<int?>("--fail-commands") { Description = "The next N commands fail." }.InRange(0, int.MaxValue);
        var command = new Option<string?>("--command") { Description = "With --fail-commands: only this command code fails (e.g. 0x0a)." };
        var ret = new Option<string>("--ret") { Description = "With --fail-commands: the ret they answer.", DefaultValueFactory = _ => "0xffff" };
        var lose = new Option<int?>("--lose-interrupts") { Description = "The next N interrupts are lost." }.InRange(0, int.MaxValue);
        var loseRate = new Option<int?>("--lose-interrupt-rate") { Description = "Lose this many interrupts per thousand (0 = off)." }.InRange(0, 1000);
        var late = new Option<int?>("--late-interrupts") { Description = "Deliver interrupts this many microseconds late (0 = off)." }.InRange(0, int.MaxValue);
        var slow = new Option<int?>("--slow-moves") { Description = "Every store of a move takes this many microseconds (0 = off)." }.InRange(0, int.MaxValue);
        var clear = new Option<bool>("--clear") { Description = "Clear every rate fault first." };
        var cmd = new Command("fault", "Inject a fault into one function of an emulated CEC.")
        {
            dir, fid, error, recover, unplug, replug, failCommands, command, ret, lose, loseRate, late, slow, clear,
        };
        cmd.SetAction(r => CliOutput.Run(() =>
        {
            var fault = new FunctionFault
            {
                EnterErrorState = r.GetValue(error),
                Recover = r.GetValue(recover),
                Unplug = r.GetValue(unplug),
                Replug = r.GetValue(replug),
                FailCommands = r.GetValue(failCommands),
                FailCommandCode = r.GetValue(command) is { } c ? (byte)HexNumber.Parse(c, "command code", 0xFF) : (byte)0,
                FailReturnCode = (ushort)HexNumber.Parse(r.GetValue(ret)!, "ret", 0xFFFF),
                LoseInterrupts = r.GetValue(lose),
                LoseInterruptsPerMille = r.GetValue(loseRate),
                DelayInterruptsMicroseconds = r.GetValue(late),
                SlowMovesMicroseconds = r.GetValue(slow),
                ClearAll = r.GetValue(clear),
            };
            if (fault == new FunctionFault())
            {
                throw new ArgumentException("name a fault: --error, --recover, --unplug, --replug, --fail-commands, --lose-interrupts, --lose-interrupt-rate, --late-interrupts, --slow-moves or --clear");
            }

            using var cec = EmulatedCec.Open(r.GetValue(dir)!);
            var f = (uint)HexNumber.Parse(r.GetValue(fid)!, "FID", uint.MaxValue);
            cec.InjectFault(f, fault);
            var after = cec.Snapshot().Functions.Single(x => x.Fid == f);
            Console.WriteLine($"function 0x{f:x}: state {after.State}; faults: {(after.Faults.Count == 0 ? "none" : string.Join(", ", after.Faults))}");
            return 0;
        }));
        return cmd;
    }
}
