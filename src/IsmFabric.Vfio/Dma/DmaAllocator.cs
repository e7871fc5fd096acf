using System.Numerics;
using System.Runtime.ExceptionServices;

namespace IsmFabric.Vfio;

/// <summary>
/// Hands out DMA buffers: whole pages of zeroed host memory aligned to the next power of two of their length, mapped
/// at an IOVA that is aligned the same way. Release unmaps from the IOMMU first, then frees the memory; an IOVA the
/// IOMMU refused to unmap is never handed out again.
/// </summary>
internal sealed class DmaAllocator
{
    private readonly IDmaMapper _mapper;
    private readonly IHostMemory _memory;
    private readonly IovaAllocator _iovas;
    private readonly ulong _pageSize;
    private readonly Lock _lock = new();
    private readonly HashSet<KernelDmaBuffer> _live = [];

    /// <summary>Creates an allocator that maps through <paramref name="mapper"/> inside the allocator's IOVA ranges.</summary>
    internal DmaAllocator(IDmaMapper mapper, IHostMemory memory, IovaAllocator iovas, int pageSize)
    {
        _mapper = mapper;
        _memory = memory;
        _iovas = iovas;
        _pageSize = (ulong)pageSize;
    }

    /// <summary>The buffers not yet released.</summary>
    internal int LiveCount
    {
        get
        {
            lock (_lock)
            {
                return _live.Count;
            }
        }
    }

    /// <summary>Allocates and maps a buffer of at least <paramref name="length"/> bytes.</summary>
    internal DmaBuffer Allocate(int length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        var size = ((ulong)length + _pageSize - 1) & ~(_pageSize - 1);
        if (size > int.MaxValue)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "a DMA buffer is at most 2 GiB - 1 page");
        }

        var alignment = BitOperations.RoundUpToPowerOf2(size);
        lock (_lock)
        {
            if (!_iovas.TryAllocate(size, alignment, out var iova))
            {
                throw VfioErrors.FromErrno(
                    Errno.ENOSPC,
                    "allocate IOVA",
                    $"no free {size}-byte block aligned to 0x{alignment:x} in {string.Join(", ", _iovas.Ranges)}");
            }

            nint address;
            try
            {
                address = _memory.Allocate(size, alignment);
            }
            catch
            {
                _iovas.Free(iova);
                throw;
            }

            try
            {
                _mapper.Map(address, iova, size);
            }
            catch
            {
                _memory.Free(address, size);
                _iovas.Free(iova);
                throw;
            }

            var buffer = new KernelDmaBuffer(this, address, iova, (int)size);
            _live.Add(buffer);
            return buffer;
        }
    }

    /// <summary>Unmaps and frees one buffer (called once, from its Dispose).</summary>
    internal void Release(KernelDmaBuffer buffer)
    {
        lock (_lock)
        {
            if (!_live.Remove(buffer))
            {
                return;
            }

            VfioException? unmapFailure = null;
            try
            {
                _mapper.Unmap(buffer.Iova, (ulong)buffer.Length);
            }
            catch (VfioException e)
            {
                unmapFailure = e;
            }

            // The pages stay pinned by the kernel while a mapping survives, so unmapping them from this process is
            // safe either way; only the IOVA must not be reused.
            _memory.Free(buffer.Address, (ulong)buffer.Length);
            if (unmapFailure is null)
            {
                _iovas.Free(buffer.Iova);
            }
            else
            {
                ExceptionDispatchInfo.Throw(unmapFailure);
            }
        }
    }

    /// <summary>Releases every live buffer, ignoring IOMMU errors (the caller is about to close the IOMMU anyway).</summary>
    internal void ReleaseAll()
    {
        KernelDmaBuffer[] live;
        lock (_lock)
        {
            live = [.. _live];
        }

        foreach (var buffer in live)
        {
            try
            {
                buffer.Dispose();
            }
            catch (VfioException)
            {
                // Closing the container or iommufd right after this drops the mapping.
            }
        }
    }
}
