namespace IsmFabric.Vfio;

/// <summary>A DMA buffer from <see cref="DmaAllocator"/>: anonymous memory mapped into the IOMMU.</summary>
internal sealed class KernelDmaBuffer(DmaAllocator owner, nint address, ulong iova, int length) : DmaBuffer
{
    /// <inheritdoc />
    public override nint Address { get; } = address;

    /// <inheritdoc />
    public override ulong Iova { get; } = iova;

    /// <inheritdoc />
    public override int Length { get; } = length;

    /// <inheritdoc />
    protected override void Release() => owner.Release(this);
}
