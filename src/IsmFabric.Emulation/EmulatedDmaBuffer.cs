using IsmFabric.Vfio;

namespace IsmFabric.Emulation;

/// <summary>DMA memory of an emulated function: a block of its LPAR's shared memory file, addressed by IOVA.</summary>
internal sealed class EmulatedDmaBuffer : DmaBuffer
{
    private readonly Action<EmulatedDmaBuffer> _release;

    internal EmulatedDmaBuffer(nint address, ulong iova, int length, long offset, Action<EmulatedDmaBuffer> release)
    {
        Address = address;
        Iova = iova;
        Length = length;
        Offset = offset;
        _release = release;
    }

    public override nint Address { get; }

    public override ulong Iova { get; }

    public override int Length { get; }

    internal long Offset { get; }

    protected override void Release() => _release(this);
}
