using Ioctl = IsmFabric.Vfio.Interop.VfioIoctl;
using IrqSet = IsmFabric.Vfio.Interop.vfio_irq_set;

namespace IsmFabric.Vfio;

/// <summary>
/// A PCI function opened through the Linux kernel's VFIO (legacy container/group or cdev + iommufd). Region offsets
/// come from VFIO_DEVICE_GET_REGION_INFO, never from the index; each Read/Write is exactly one pread/pwrite (on ISM,
/// one PCI Store Block per write); DMA buffers are mapped inside the zPCI DMA window. Open it with
/// <see cref="KernelVfio.Open(PciAddress, VfioOpenOptions)"/>.
/// </summary>
public sealed unsafe class KernelVfioDevice : IVfioDevice
{
    private readonly IVfioFile _device;
    private readonly IDmaMapper _mapper;
    private readonly DmaAllocator _dma;
    private readonly VfioDeviceInfo _info;
    private EventfdInterruptSource? _msi;
    private bool _disposed;

    /// <summary>Takes ownership of an opened device fd and the IOMMU side it is attached to.</summary>
    internal KernelVfioDevice(string name, VfioOpenMode mode, IVfioFile device, IDmaMapper mapper, IHostMemory memory, int pageSize)
    {
        Name = name;
        Mode = mode;
        _device = device;
        _mapper = mapper;
        _info = GetInfo();
        var window = _info.ZpciBase is { } b ? new IovaRange(b.StartDma, b.EndDma) : (IovaRange?)null;
        var iovas = new IovaAllocator(IovaAllocator.Usable(window, mapper.IovaRanges));
        DmaRanges = iovas.Ranges;
        _dma = new DmaAllocator(mapper, memory, iovas, pageSize);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <summary>The flow the device was opened through (<see cref="VfioOpenMode.Legacy"/> or <see cref="VfioOpenMode.Cdev"/>).</summary>
    public VfioOpenMode Mode { get; }

    /// <summary>Where DMA buffers may be mapped: the zPCI DMA window intersected with the IOMMU's IOVA ranges.</summary>
    public IReadOnlyList<IovaRange> DmaRanges { get; }

    /// <summary>The DMA buffers allocated and not yet disposed.</summary>
    public int LiveDmaBuffers => _dma.LiveCount;

    /// <inheritdoc />
    public VfioDeviceInfo GetInfo()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var answer = VfioInfoQuery.Query(
            _device,
            Ioctl.VFIO_DEVICE_GET_INFO,
            nameof(Ioctl.VFIO_DEVICE_GET_INFO),
            sizeof(Interop.vfio_device_info));
        return VfioDeviceInfoCodec.Decode(answer);
    }

    /// <inheritdoc />
    public VfioRegionInfo GetRegionInfo(uint index)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);

        // Region capabilities (sparse mmap, type) are not needed: ISM regions cannot be mmapped and are fixed BARs.
        var info = new Interop.vfio_region_info { argsz = (uint)sizeof(Interop.vfio_region_info), index = index };
        _device.IoctlOrThrow(Ioctl.VFIO_DEVICE_GET_REGION_INFO, &info, nameof(Ioctl.VFIO_DEVICE_GET_REGION_INFO), $"region index {index}");
        if (info.offset > long.MaxValue)
        {
            throw new VfioFormatException(nameof(Ioctl.VFIO_DEVICE_GET_REGION_INFO), $"region {index} offset 0x{info.offset:x} does not fit in off_t");
        }

        return new VfioRegionInfo(index, (VfioRegionFlags)info.flags, info.size, (long)info.offset);
    }

    /// <inheritdoc />
    public VfioIrqInfo GetIrqInfo(uint index)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var info = new Interop.vfio_irq_info { argsz = (uint)sizeof(Interop.vfio_irq_info), index = index };
        _device.IoctlOrThrow(Ioctl.VFIO_DEVICE_GET_IRQ_INFO, &info, nameof(Ioctl.VFIO_DEVICE_GET_IRQ_INFO), $"IRQ index {index}");
        return new VfioIrqInfo(index, (VfioIrqInfoFlags)info.flags, info.count);
    }

    /// <inheritdoc />
    public int Read(long offset, Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        var read = _device.PRead(buffer, offset, out var errno);
        if (read < 0)
        {
            throw VfioErrors.FromErrno(errno, $"pread {Name}", $"{buffer.Length} bytes at offset 0x{offset:x}");
        }

        return read == buffer.Length
            ? (int)read
            : throw VfioErrors.FromErrno(Errno.EIO, $"pread {Name}", $"short read at offset 0x{offset:x}: {read} of {buffer.Length} bytes");
    }

    /// <inheritdoc />
    public int Write(long offset, ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (buffer.IsEmpty)
        {
            return 0;
        }

        // One call, never split: the ISM variant driver turns each pwrite into exactly one PCI Store Block.
        var written = _device.PWrite(buffer, offset, out var errno);
        if (written < 0)
        {
            throw VfioErrors.FromErrno(errno, $"pwrite {Name}", $"{buffer.Length} bytes at offset 0x{offset:x}");
        }

        return written == buffer.Length
            ? (int)written
            : throw VfioErrors.FromErrno(Errno.EIO, $"pwrite {Name}", $"short write at offset 0x{offset:x}: {written} of {buffer.Length} bytes");
    }

    /// <inheritdoc />
    public DmaBuffer AllocateDma(int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _dma.Allocate(length);
    }

    /// <inheritdoc />
    public IInterruptSource EnableMsi()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_msi is not null)
        {
            throw new InvalidOperationException($"MSI is already enabled on {Name}; call DisableMsi first");
        }

        var source = EventfdInterruptSource.Create();
        try
        {
            var set = new Interop.vfio_irq_set_eventfd
            {
                header = new IrqSet
                {
                    argsz = (uint)sizeof(Interop.vfio_irq_set_eventfd),
                    flags = IrqSet.VFIO_IRQ_SET_DATA_EVENTFD | IrqSet.VFIO_IRQ_SET_ACTION_TRIGGER,
                    index = VfioIrqIndex.Msi,
                    start = 0,
                    count = 1,
                },
                eventfd = source.Descriptor,
            };
            _device.IoctlOrThrow(Ioctl.VFIO_DEVICE_SET_IRQS, &set, nameof(Ioctl.VFIO_DEVICE_SET_IRQS), "enable MSI vector 0");
        }
        catch
        {
            source.Dispose();
            throw;
        }

        _msi = source;
        return source;
    }

    /// <inheritdoc />
    public void DisableMsi()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_msi is null)
        {
            return;
        }

        try
        {
            var set = new IrqSet
            {
                argsz = (uint)sizeof(IrqSet),
                flags = IrqSet.VFIO_IRQ_SET_DATA_NONE | IrqSet.VFIO_IRQ_SET_ACTION_TRIGGER,
                index = VfioIrqIndex.Msi,
                start = 0,
                count = 0,
            };
            _device.IoctlOrThrow(Ioctl.VFIO_DEVICE_SET_IRQS, &set, nameof(Ioctl.VFIO_DEVICE_SET_IRQS), "disable MSI");
        }
        finally
        {
            // The kernel holds its own reference to the eventfd until the disable succeeds; ours can go either way.
            _msi.Dispose();
            _msi = null;
        }
    }

    /// <inheritdoc />
    public void Reset()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_info.SupportsReset)
        {
            throw VfioErrors.FromErrno(
                Errno.EOPNOTSUPP,
                $"{nameof(Ioctl.VFIO_DEVICE_RESET)} on {_device.Path}",
                "the device does not report VFIO_DEVICE_FLAGS_RESET");
        }

        _device.IoctlOrThrow(Ioctl.VFIO_DEVICE_RESET, 0, nameof(Ioctl.VFIO_DEVICE_RESET));
    }

    /// <summary>
    /// Disables MSI, closes the device fd (the kernel quiesces the function), unmaps and frees every DMA buffer still
    /// alive, then closes the group and container or the iommufd. Safe to call more than once.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (_msi is not null)
        {
            try
            {
                DisableMsi();
            }
            catch (VfioException)
            {
                // The device may already be gone; closing its fd below releases the vector anyway.
            }
        }

        _disposed = true;
        _device.Dispose();
        _dma.ReleaseAll();
        _mapper.Dispose();
    }
}
