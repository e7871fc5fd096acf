namespace IsmFabric.Vfio;

/// <summary>
/// An open VFIO, iommufd or eventfd-style file as the kernel path uses it. The Linux implementation calls libc; tests
/// substitute a fake kernel so the flows can be driven without /dev/vfio. Calls return -1 and the errno on failure.
/// </summary>
internal unsafe interface IVfioFile : IDisposable
{
    /// <summary>The path it was opened from, or a description for descriptors returned by an ioctl.</summary>
    string Path { get; }

    /// <summary>The descriptor number, for ioctls that take another descriptor as data.</summary>
    int Descriptor { get; }

    /// <summary>ioctl with a pointer argument.</summary>
    int Ioctl(nuint request, void* argument, out int errno);

    /// <summary>ioctl with an integer argument passed by value.</summary>
    int Ioctl(nuint request, nint value, out int errno);

    /// <summary>pread(2).</summary>
    nint PRead(Span<byte> buffer, long offset, out int errno);

    /// <summary>pwrite(2).</summary>
    nint PWrite(ReadOnlySpan<byte> buffer, long offset, out int errno);
}
