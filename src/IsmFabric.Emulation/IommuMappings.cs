using IsmFabric.Vfio;
using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>
/// The emulated IOMMU: which pages of each LPAR's memory each function has mapped for DMA (what VFIO_IOMMU_MAP_DMA or
/// IOMMU_IOAS_MAP did on the kernel path), and which of them a registration (SBA, IEQ, DMB) still covers.
/// </summary>
/// <remarks>
/// Each function is its own IOMMU domain, as each kernel VFIO device here has its own container or IOAS: a page is
/// mapped by one function, and only that function's device may reach it. The tables live in one file per LPAR
/// (<see cref="IommuTable"/>), mapped on first use, so the device side of any process sees them. Mapping is done by
/// the LPAR's own process on pages its allocator just handed out; unmapping, pinning and unpinning hold the CEC lock,
/// so a registration check and an unmap never interleave; a device access reads one entry per page, without a lock.
/// </remarks>
internal sealed unsafe class IommuMappings(string directory, CecDefinition definition, CecStateFile state, LparMemories memories) : IDisposable
{
    private const uint MapperMask = 0xFFFF;
    private const uint PinUnit = 1u << 16;
    private const int PageShift = 12;

    private readonly Lock _lock = new();
    private readonly IommuTable?[] _tables = new IommuTable?[definition.Lpars.Count];

    /// <summary>
    /// Maps <paramref name="length"/> bytes at <paramref name="iova"/> for <paramref name="function"/>; fails with EEXIST
    /// when a page is already mapped (as VFIO_IOMMU_MAP_DMA does for an overlap) and EINVAL outside the LPAR's memory.
    /// </summary>
    internal void Map(int function, ulong iova, long length)
    {
        var lpar = LparOf(function);
        var table = Table(lpar);
        if (!TryPages(table, iova, length, out var first, out var last))
        {
            throw VfioErrors.FromErrno(Errno.EINVAL, Describe("DMA map", function, iova, length), "the range is not inside the LPAR's memory");
        }

        var tag = Tag(function);
        for (var p = first; p <= last; p++)
        {
            if (Interlocked.CompareExchange(ref table.Entries[p], tag, 0u) != 0u)
            {
                for (var q = first; q < p; q++)
                {
                    Volatile.Write(ref table.Entries[q], 0u);
                }

                throw VfioErrors.FromErrno(Errno.EEXIST, Describe("DMA map", function, iova, length), $"IOVA 0x{PageIova(p):x} is already mapped");
            }
        }

        Interlocked.Add(ref I32(state.Function(function), CecLayout.FMappedPages), last - first + 1);
    }

    /// <summary>True when <paramref name="function"/> has mapped every page of the range (the device may reach it).</summary>
    internal bool IsMappedBy(int function, int lpar, ulong iova, long length)
    {
        var table = Table(lpar);
        if (!TryPages(table, iova, length, out var first, out var last))
        {
            return false;
        }

        var tag = Tag(function);
        for (var p = first; p <= last; p++)
        {
            if ((Volatile.Read(ref table.Entries[p]) & MapperMask) != tag)
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The device's view of a DMA address: this process's pointer when <paramref name="function"/> mapped the range, else null.</summary>
    internal byte* Translate(int function, int lpar, ulong iova, long length) =>
        IsMappedBy(function, lpar, iova, length) ? memories.Translate(lpar, iova, length) : null;

    /// <summary>Notes one more registration over the range's pages, which the caller checked are mapped by <paramref name="function"/>. Must hold the CEC lock.</summary>
    internal void PinLocked(int function, ulong iova, long length) => ChangePins(function, iova, length, +1);

    /// <summary>Notes that a registration over the range is gone. Must hold the CEC lock.</summary>
    internal void UnpinLocked(int function, ulong iova, long length) => ChangePins(function, iova, length, -1);

    /// <summary>The first IOVA of the range whose page a registration of <paramref name="function"/> still covers; null when none. Must hold the CEC lock.</summary>
    internal ulong? FirstPinnedLocked(int function, ulong iova, long length)
    {
        var table = Table(LparOf(function));
        if (!TryPages(table, iova, length, out var first, out var last))
        {
            return null;
        }

        var tag = Tag(function);
        for (var p = first; p <= last; p++)
        {
            var entry = Volatile.Read(ref table.Entries[p]);
            if ((entry & MapperMask) == tag && entry >= PinUnit)
            {
                return Math.Max(iova, PageIova(p));
            }
        }

        return null;
    }

    /// <summary>Removes the mappings <paramref name="function"/> holds in the range; returns the pages unmapped. Must hold the CEC lock.</summary>
    internal int UnmapLocked(int function, ulong iova, long length)
    {
        var table = Table(LparOf(function));
        if (!TryPages(table, iova, length, out var first, out var last))
        {
            return 0;
        }

        var tag = Tag(function);
        var removed = 0;
        for (var p = first; p <= last; p++)
        {
            if ((Volatile.Read(ref table.Entries[p]) & MapperMask) == tag)
            {
                Volatile.Write(ref table.Entries[p], 0u);
                removed++;
            }
        }

        Interlocked.Add(ref I32(state.Function(function), CecLayout.FMappedPages), -removed);
        return removed;
    }

    /// <summary>Forgets every pin in every LPAR's table, keeping the mappings (the consistency pass pins again what is registered). Must hold the CEC lock.</summary>
    internal void ClearPinsLocked()
    {
        for (var lpar = 0; lpar < _tables.Length; lpar++)
        {
            var table = Table(lpar);
            for (var p = 0; p < table.PageCount; p++)
            {
                if (table.Entries[p] >= PinUnit)
                {
                    Volatile.Write(ref table.Entries[p], table.Entries[p] & MapperMask);
                }
            }
        }
    }

    /// <summary>Drops every mapping in LPAR <paramref name="lpar"/> (its process is gone, and with it its containers). Must hold the CEC lock.</summary>
    internal void ClearLocked(int lpar)
    {
        var table = Table(lpar);
        new Span<uint>(table.Entries, table.PageCount).Clear();
        for (var f = 0; f < state.FunctionCount; f++)
        {
            if (I32(state.Function(f), CecLayout.FLpar) == lpar)
            {
                Volatile.Write(ref I32(state.Function(f), CecLayout.FMappedPages), 0);
            }
        }
    }

    public void Dispose()
    {
        foreach (var table in _tables)
        {
            table?.Dispose();
        }
    }

    private IommuTable Table(int lpar)
    {
        var table = Volatile.Read(ref _tables[lpar]);
        if (table is not null)
        {
            return table;
        }

        lock (_lock)
        {
            table = _tables[lpar];
            if (table is null)
            {
                var def = definition.Lpars[lpar];
                table = new IommuTable(CecFiles.IommuPath(directory, def.Name), def.MemoryBytes);
                Volatile.Write(ref _tables[lpar], table);
            }

            return table;
        }
    }

    private void ChangePins(int function, ulong iova, long length, int delta)
    {
        var table = Table(LparOf(function));
        if (!TryPages(table, iova, length, out var first, out var last))
        {
            return;
        }

        var tag = Tag(function);
        for (var p = first; p <= last; p++)
        {
            ref var entry = ref table.Entries[p];
            var old = Volatile.Read(ref entry);
            if ((old & MapperMask) != tag || (delta < 0 && old < PinUnit) || (delta > 0 && old >= ~MapperMask))
            {
                continue; // not ours, nothing to release, or saturated: the counts only guard unmaps
            }

            Volatile.Write(ref entry, delta > 0 ? old + PinUnit : old - PinUnit);
        }
    }

    private int LparOf(int function) => I32(state.Function(function), CecLayout.FLpar);

    private static uint Tag(int function) => (uint)function + 1;

    private static ulong PageIova(int page) => CecLayout.StartDma + ((ulong)page << PageShift);

    private static bool TryPages(IommuTable table, ulong iova, long length, out int first, out int last)
    {
        first = last = 0;
        if (length <= 0 || iova < CecLayout.StartDma)
        {
            return false;
        }

        var offset = iova - CecLayout.StartDma;
        var end = offset + (ulong)length - 1;
        if (end < offset || (end >> PageShift) >= (ulong)table.PageCount)
        {
            return false;
        }

        first = (int)(offset >> PageShift);
        last = (int)(end >> PageShift);
        return true;
    }

    private string Describe(string operation, int function, ulong iova, long length) =>
        $"{operation}(function 0x{definition.Functions[function].Fid:x}, IOVA 0x{iova:x}, {length} bytes)";
}
