namespace IsmFabric.Vfio;

/// <summary>
/// A PCI function handed to user space through VFIO: the one seam between hardware (or its emulated twin) and
/// everything above it. Shaped like the VFIO device fd: region info, pread/pwrite at region offsets, device
/// capabilities, DMA memory, an MSI interrupt source, reset. Dispose closes every fd the device holds.
/// </summary>
/// <remarks>
/// Implementations are not required to be thread-safe; the owner (the device actor) serialises calls, except that
/// <see cref="IInterruptSource.Wait"/> may block on another thread.
/// </remarks>
public interface IVfioDevice : IDisposable
{
    /// <summary>The device name as VFIO knows it: the PCI address ("0000:00:00.0") or the emulated function's name.</summary>
    string Name { get; }

    /// <summary>VFIO_DEVICE_GET_INFO with its capability chain (zPCI BASE, GROUP, UTIL, PFIP).</summary>
    VfioDeviceInfo GetInfo();

    /// <summary>VFIO_DEVICE_GET_REGION_INFO. Throws <see cref="VfioInvalidArgumentException"/> for an index the driver does not serve.</summary>
    VfioRegionInfo GetRegionInfo(uint index);

    /// <summary>VFIO_DEVICE_GET_IRQ_INFO for one IRQ index (<see cref="VfioIrqIndex"/>).</summary>
    VfioIrqInfo GetIrqInfo(uint index);

    /// <summary>pread on the device fd: <paramref name="offset"/> is the region's offset plus the offset inside the region. Returns the bytes read.</summary>
    int Read(long offset, Span<byte> buffer);

    /// <summary>pwrite on the device fd: <paramref name="offset"/> is the region's offset plus the offset inside the region. Returns the bytes written.</summary>
    int Write(long offset, ReadOnlySpan<byte> buffer);

    /// <summary>
    /// Allocates zeroed host memory that the device may DMA into and maps it at an IOVA inside the function's DMA
    /// window. <paramref name="length"/> is rounded up to whole pages; the buffer is naturally aligned to the
    /// next power of two of its length (so a buffer of at most 1 MiB never crosses a 1 MiB boundary).
    /// </summary>
    DmaBuffer AllocateDma(int length);

    /// <summary>VFIO_DEVICE_SET_IRQS on the MSI index with one eventfd; the returned source signals each interrupt.</summary>
    IInterruptSource EnableMsi();

    /// <summary>Disables MSI (SET_IRQS with DATA_NONE|ACTION_TRIGGER and count 0) and disposes the interrupt source.</summary>
    void DisableMsi();

    /// <summary>VFIO_DEVICE_RESET. Throws <see cref="VfioNotSupportedException"/> when the device does not report reset support.</summary>
    void Reset();
}
