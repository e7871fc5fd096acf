using System.IO.MemoryMappedFiles;

namespace IsmFabric.Emulation;

/// <summary>
/// An LPAR's memory: a file under the CEC directory, mapped shared by the LPAR's own process (where its SBA, IEQ
/// and DMBs live) and by every process that moves data into it.
/// </summary>
internal sealed unsafe class LparMemory : IDisposable
{
    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;

    internal LparMemory(string path, long length)
    {
        var fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        var actual = fs.Length;
        if (actual != length)
        {
            fs.Dispose();
            throw new InvalidDataException($"{path}: {actual} bytes, the CEC definition says {length}");
        }

        _map = MemoryMappedFile.CreateFromFile(fs, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
        _view = _map.CreateViewAccessor(0, length, MemoryMappedFileAccess.ReadWrite);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        Pointer = p + _view.PointerOffset;
        Length = length;
    }

    internal byte* Pointer { get; }

    internal long Length { get; }

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
