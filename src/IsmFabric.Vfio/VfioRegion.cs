namespace IsmFabric.Vfio;

/// <summary>
/// One region of a <see cref="IVfioDevice"/> with its offset taken from region info (never computed from the
/// index), so callers address it by the offset inside the region.
/// </summary>
public readonly struct VfioRegion
{
    private readonly IVfioDevice _device;

    /// <summary>Looks the region up with VFIO_DEVICE_GET_REGION_INFO.</summary>
    public VfioRegion(IVfioDevice device, uint index)
    {
        ArgumentNullException.ThrowIfNull(device);
        _device = device;
        Info = device.GetRegionInfo(index);
    }

    /// <summary>The region info the kernel (or the emulated device) returned.</summary>
    public VfioRegionInfo Info { get; }

    /// <summary>Reads at <paramref name="offset"/> inside the region.</summary>
    public int Read(long offset, Span<byte> buffer) => _device.Read(checked(Info.Offset + offset), buffer);

    /// <summary>Writes at <paramref name="offset"/> inside the region (one store block on ISM).</summary>
    public int Write(long offset, ReadOnlySpan<byte> buffer) => _device.Write(checked(Info.Offset + offset), buffer);
}
