namespace IsmFabric.Vfio;

/// <summary>Which kernel flow <see cref="KernelVfio.Open(PciAddress, VfioOpenOptions)"/> uses to reach the device.</summary>
public enum VfioOpenMode
{
    /// <summary>cdev + iommufd when the function has a vfio-dev node and /dev/iommu exists, else the legacy container.</summary>
    Auto = 0,

    /// <summary>The legacy flow: /dev/vfio/vfio container, /dev/vfio/N group, VFIO_GROUP_GET_DEVICE_FD.</summary>
    Legacy = 1,

    /// <summary>The cdev flow: /dev/vfio/devices/vfioN bound to an iommufd (/dev/iommu) IOAS.</summary>
    Cdev = 2,
}
