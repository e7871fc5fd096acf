namespace IsmFabric.Emulation;

/// <summary>Every LPAR's memory file, mapped on first use, and the translation of a device address (IOVA) into it.</summary>
internal sealed unsafe class LparMemories : IDisposable
{
    private readonly string _directory;
    private readonly CecDefinition _definition;
    private readonly Lock _lock = new();
    private readonly LparMemory?[] _memories;

    internal LparMemories(string directory, CecDefinition definition)
    {
        _directory = directory;
        _definition = definition;
        _memories = new LparMemory?[definition.Lpars.Count];
    }

    /// <summary>The memory of LPAR <paramref name="lpar"/>, mapped on first use and kept for the life of this view.</summary>
    internal LparMemory Memory(int lpar)
    {
        var m = Volatile.Read(ref _memories[lpar]);
        if (m is not null)
        {
            return m;
        }

        lock (_lock)
        {
            m = _memories[lpar];
            if (m is null)
            {
                var def = _definition.Lpars[lpar];
                m = new LparMemory(CecFiles.MemoryPath(_directory, def.Name), def.MemoryBytes);
                Volatile.Write(ref _memories[lpar], m);
            }

            return m;
        }
    }

    /// <summary>Translates a device address of LPAR <paramref name="lpar"/> to this process's pointer; null when outside its memory.</summary>
    internal byte* Translate(int lpar, ulong iova, long length)
    {
        var memory = Memory(lpar);
        if (iova < CecLayout.StartDma || length < 0)
        {
            return null;
        }

        var offset = iova - CecLayout.StartDma;
        return offset + (ulong)length > (ulong)memory.Length ? null : memory.Pointer + offset;
    }

    public void Dispose()
    {
        foreach (var m in _memories)
        {
            m?.Dispose();
        }
    }
}
