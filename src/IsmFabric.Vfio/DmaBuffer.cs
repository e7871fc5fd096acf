namespace IsmFabric.Vfio;

/// <summary>
/// Host memory mapped for device DMA: its address in this process, its IOVA as the device sees it, and its length.
/// Dispose unmaps it from the IOMMU and frees it; unregister whatever the device still holds in it first.
/// </summary>
public abstract class DmaBuffer : IDisposable
{
    /// <summary>The buffer's address in this process.</summary>
    public abstract nint Address { get; }

    /// <summary>The I/O virtual address the device uses for the first byte.</summary>
    public abstract ulong Iova { get; }

    /// <summary>The length in bytes (whole pages).</summary>
    public abstract int Length { get; }

    /// <summary>True once the buffer was unmapped and freed.</summary>
    public bool IsDisposed { get; private set; }

    /// <summary>The memory as a span; valid until disposal.</summary>
    public unsafe Span<byte> Span
    {
        get
        {
            ObjectDisposedException.ThrowIf(IsDisposed, this);
            return new Span<byte>((void*)Address, Length);
        }
    }

    /// <summary>Unmaps and frees the buffer.</summary>
    public void Dispose()
    {
        if (IsDisposed)
        {
            return;
        }

        IsDisposed = true;
        Release();
        GC.SuppressFinalize(this);
    }

    /// <summary>Unmaps the IOVA range and frees the memory; called once.</summary>
    protected abstract void Release();
}
