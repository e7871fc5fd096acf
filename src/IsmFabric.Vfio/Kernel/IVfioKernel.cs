namespace IsmFabric.Vfio;

/// <summary>The kernel as the VFIO flows see it: opening character devices and adopting descriptors an ioctl returned.</summary>
internal interface IVfioKernel
{
    /// <summary>Opens <paramref name="path"/> O_RDWR|O_CLOEXEC; returns null and the errno on failure.</summary>
    IVfioFile? Open(string path, out int errno);

    /// <summary>Takes ownership of a descriptor returned by an ioctl (VFIO_GROUP_GET_DEVICE_FD).</summary>
    IVfioFile Adopt(int descriptor, string description);
}
