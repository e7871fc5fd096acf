using System.IO.MemoryMappedFiles;

namespace IsmFabric.Emulation;

/// <summary>
/// One LPAR's I/O page table: a file under the CEC directory (<c>lpars/&lt;name&gt;.iommu</c>) with one 32-bit entry
/// per 4 KiB page of the LPAR's memory, mapped by every process that checks a device access into that memory.
/// </summary>
/// <remarks>
/// An entry holds, in its low 16 bits, the function that mapped the page plus one (0: not mapped) and, in its high 16
/// bits, how many registrations of that function (SBA, IEQ, DMBs) cover the page. Host byte order, like
/// <c>cec.state</c>: this is the emulator's bookkeeping, not a device structure. <see cref="IommuMappings"/> gives it
/// meaning.
/// </remarks>
internal sealed unsafe class IommuTable : IDisposable
{
    /// <summary>Bytes per entry.</summary>
    internal const int EntrySize = sizeof(uint);

    private readonly MemoryMappedFile _map;
    private readonly MemoryMappedViewAccessor _view;

    /// <summary>Maps the table at <paramref name="path"/>, refusing a file whose size does not fit an LPAR of <paramref name="memoryBytes"/>.</summary>
    internal IommuTable(string path, long memoryBytes)
    {
        PageCount = (int)(memoryBytes / CecLayout.PageSize);
        var expected = FileLength(memoryBytes);
        FileStream fs;
        try
        {
            fs = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite);
        }
        catch (FileNotFoundException e)
        {
            throw new InvalidDataException($"{path} is missing: the CEC was created by a build without the IOMMU model; create it again", e);
        }

        if (fs.Length != expected)
        {
            var actual = fs.Length;
            fs.Dispose();
            throw new InvalidDataException($"{path}: {actual} bytes, expected {expected} for {memoryBytes} bytes of LPAR memory; the file is damaged");
        }

        _map = MemoryMappedFile.CreateFromFile(fs, null, 0, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false);
        _view = _map.CreateViewAccessor(0, expected, MemoryMappedFileAccess.ReadWrite);
        byte* p = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref p);
        Entries = (uint*)(p + _view.PointerOffset);
    }

    /// <summary>The first entry; entry k describes IOVA <see cref="CecLayout.StartDma"/> + k × 4 KiB.</summary>
    internal uint* Entries { get; }

    /// <summary>How many pages (entries) the table covers.</summary>
    internal int PageCount { get; }

    /// <summary>The size of the table file for an LPAR of <paramref name="memoryBytes"/>.</summary>
    internal static long FileLength(long memoryBytes) => memoryBytes / CecLayout.PageSize * EntrySize;

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _map.Dispose();
    }
}
