using System.IO.MemoryMappedFiles;
using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>The shared <c>cec.state</c> mapped into this process: pointers to its LPAR, function and DMB entries.</summary>
/// <remarks>Laid out by <see cref="CecLayout"/>; the look-ups over the tables that need nothing but the tables live here too.</remarks>
internal sealed unsafe class CecStateFile : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _state;
    private bool _disposed;

    /// <summary>Maps <paramref name="path"/>, refusing a file of the wrong size, magic or version.</summary>
    internal CecStateFile(string path, int functionCount)
    {
        FunctionCount = functionCount;
        var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        var length = fs.Length;
        if (length != CecLayout.StateFileSize)
        {
            fs.Dispose();
            throw new InvalidDataException(
                $"{path}: {length} bytes, expected {CecLayout.StateFileSize}; the file is damaged or from another version");
        }

        _map = MemoryMappedFile.CreateFromFile(fs, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
        _view = _map.CreateViewAccessor(0, CecLayout.StateFileSize, MemoryMappedFileAccess.ReadWrite);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        _state = p + _view.PointerOffset;
        if (U64(_state, CecLayout.HMagic) != CecLayout.Magic)
        {
            Dispose();
            throw new InvalidDataException($"{path} is not an IsmFabric CEC state file");
        }

        if (U32(_state, CecLayout.HVersion) is var version && version != CecLayout.Version)
        {
            Dispose();
            throw new InvalidDataException(
                $"{path} has layout version {version}; this build reads version {CecLayout.Version}: create the CEC again");
        }
    }

    /// <summary>The number of functions the CEC definition declares (the used part of the function table).</summary>
    internal int FunctionCount { get; }

    /// <summary>True once the mapping is gone: no pointer from this file may be used any more.</summary>
    internal bool IsDisposed => Volatile.Read(ref _disposed);

    /// <summary>The header: magic, version, table sizes, the next token, the CEC lock's holder.</summary>
    internal byte* Header => _state;

    internal byte* Lpar(int index) => _state + CecLayout.LparTable + (index * CecLayout.LparEntrySize);

    internal byte* Function(int index) => _state + CecLayout.FunctionTable + (index * CecLayout.FunctionEntrySize);

    internal byte* Dmb(int index) => _state + CecLayout.DmbTable + (index * CecLayout.DmbEntrySize);

    internal FunctionState StateOf(int function) => (FunctionState)Volatile.Read(ref I32(Function(function), CecLayout.FState));

    /// <summary>Finds the function with <paramref name="gid"/> on <paramref name="chid"/>; -1 when none.</summary>
    internal int FunctionByGid(ulong gid, ushort chid)
    {
        for (var f = 0; f < FunctionCount; f++)
        {
            var fn = Function(f);
            if (U64(fn, CecLayout.FGid) == gid && U16(fn, CecLayout.FChid) == chid)
            {
                return f;
            }
        }

        return -1;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        Volatile.Write(ref _disposed, true);
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
