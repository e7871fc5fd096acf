using System.Text;
using System.Text.Json;
using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>The files of a CEC directory: their names, creating a new CEC, and reading back its <c>cec.json</c>.</summary>
internal static unsafe class CecFiles
{
    internal const string DefinitionFile = "cec.json";
    internal const string StateFile = "cec.state";
    internal const string LockFileName = "cec.lock";

    internal static bool Exists(string directory) => File.Exists(Path.Combine(directory, DefinitionFile));

    internal static string StatePath(string directory) => Path.Combine(directory, StateFile);

    internal static string LockPath(string directory) => Path.Combine(directory, LockFileName);

    internal static string MemoryPath(string directory, string lpar) => Path.Combine(directory, "lpars", lpar + ".mem");

    internal static string IommuPath(string directory, string lpar) => Path.Combine(directory, "lpars", lpar + ".iommu");

    internal static string LparLockPath(string directory, string lpar) => Path.Combine(directory, "lpars", lpar + ".lock");

    /// <summary>Creates the files of a new CEC under <paramref name="directory"/>; refuses to overwrite an existing one.</summary>
    internal static void Create(string directory, CecDefinition definition)
    {
        if (Exists(directory))
        {
            throw new IOException($"{directory} already holds a CEC ({DefinitionFile} exists); remove it or pick another directory");
        }

        Directory.CreateDirectory(directory);
        Directory.CreateDirectory(Path.Combine(directory, "lpars"));
        foreach (var lpar in definition.Lpars)
        {
            using var mem = new FileStream(MemoryPath(directory, lpar.Name), FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite);
            mem.SetLength(lpar.MemoryBytes); // sparse: pages appear when touched
            using var iommu = new FileStream(IommuPath(directory, lpar.Name), FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite);
            iommu.SetLength(IommuTable.FileLength(lpar.MemoryBytes)); // all zero: nothing mapped
        }

        using (var fs = new FileStream(StatePath(directory), FileMode.Create, FileAccess.ReadWrite, FileShare.ReadWrite))
        {
            fs.SetLength(CecLayout.StateFileSize);
            fs.Write(InitialTables(definition));
            fs.Flush(flushToDisk: true);
        }

        // The definition goes last: a CEC directory without cec.json is an interrupted create, never a CEC.
        var tmp = Path.Combine(directory, DefinitionFile + ".tmp");
        File.WriteAllText(tmp, JsonSerializer.Serialize(definition, CecDefinition.JsonOptions));
        File.Move(tmp, Path.Combine(directory, DefinitionFile), overwrite: false);
    }

    /// <summary>Reads and checks <c>cec.json</c> under <paramref name="directory"/>; every failure names the file and what is wrong.</summary>
    internal static CecDefinition ReadDefinition(string directory)
    {
        var path = Path.Combine(directory, DefinitionFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"no emulated CEC in {directory}: {DefinitionFile} is missing (create one with 'ismfabric cec create --dir {directory}')", path);
        }

        CecDefinition? definition;
        try
        {
            definition = JsonSerializer.Deserialize<CecDefinition>(File.ReadAllText(path), CecDefinition.JsonOptions);
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: not a valid CEC definition ({e.Message})", e);
        }

        if (definition is null || definition.Lpars is null || definition.Functions is null)
        {
            throw new InvalidDataException($"{path}: not a valid CEC definition (lpars or functions missing)");
        }

        if (definition.Version != CecDefinition.FormatVersion)
        {
            throw new InvalidDataException($"{path}: format version {definition.Version}, this build reads {CecDefinition.FormatVersion}");
        }

        return definition;
    }

    /// <summary>The start of a new state file: the header, the LPAR table and the function table; the DMB table stays zero (all free).</summary>
    private static byte[] InitialTables(CecDefinition definition)
    {
        var header = new byte[CecLayout.FunctionTable + (definition.Functions.Count * CecLayout.FunctionEntrySize)];
        fixed (byte* p = header)
        {
            U64(p, CecLayout.HMagic) = CecLayout.Magic;
            U32(p, CecLayout.HVersion) = CecLayout.Version;
            U32(p, CecLayout.HLparCount) = (uint)definition.Lpars.Count;
            U32(p, CecLayout.HFunctionCount) = (uint)definition.Functions.Count;
            U32(p, CecLayout.HNextToken) = 1;
            for (var l = 0; l < definition.Lpars.Count; l++)
            {
                var e = p + CecLayout.LparTable + (l * CecLayout.LparEntrySize);
                Encoding.ASCII.GetBytes(definition.Lpars[l].Name, new Span<byte>(e + CecLayout.LName, CecLayout.LNameLength));
                I64(e, CecLayout.LMemorySize) = definition.Lpars[l].MemoryBytes;
            }

            for (var f = 0; f < definition.Functions.Count; f++)
            {
                var def = definition.Functions[f];
                var e = p + CecLayout.FunctionTable + (f * CecLayout.FunctionEntrySize);
                I32(e, CecLayout.FState) = (int)FunctionState.Ready;
                I32(e, CecLayout.FLpar) = definition.Lpars.ToList().FindIndex(l => l.Name == def.Lpar);
                U32(e, CecLayout.FFid) = def.Fid;
                U16(e, CecLayout.FChid) = def.Chid;
                U16(e, CecLayout.FVfn) = def.Vfn;
                U64(e, CecLayout.FGid) = def.Gid;
                Encoding.ASCII.GetBytes(def.Pnetid, new Span<byte>(e + CecLayout.FPnetid, 16));
            }
        }

        return header;
    }
}
