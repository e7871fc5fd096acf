namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>
    /// VFIO ioctl request numbers from linux/vfio.h. VFIO uses <c>_IO(';', 100 + n)</c> for every request (the
    /// size lives in argsz), so the numbers are the same on every architecture that uses asm-generic/ioctl.h.
    /// </summary>
    internal static class VfioIoctl
    {
        /// <summary>_IOC_NONE &lt;&lt; 30 | 0 &lt;&lt; 16 | ';' &lt;&lt; 8 | VFIO_BASE.</summary>
        private const nuint Base = (0x3B << 8) | 100;

        internal const nuint VFIO_GET_API_VERSION = Base + 0;
        internal const nuint VFIO_CHECK_EXTENSION = Base + 1;
        internal const nuint VFIO_SET_IOMMU = Base + 2;
        internal const nuint VFIO_GROUP_GET_STATUS = Base + 3;
        internal const nuint VFIO_GROUP_SET_CONTAINER = Base + 4;
        internal const nuint VFIO_GROUP_GET_DEVICE_FD = Base + 6;
        internal const nuint VFIO_DEVICE_GET_INFO = Base + 7;
        internal const nuint VFIO_DEVICE_GET_REGION_INFO = Base + 8;
        internal const nuint VFIO_DEVICE_GET_IRQ_INFO = Base + 9;
        internal const nuint VFIO_DEVICE_SET_IRQS = Base + 10;
        internal const nuint VFIO_DEVICE_RESET = Base + 11;
        internal const nuint VFIO_IOMMU_GET_INFO = Base + 12;
        internal const nuint VFIO_IOMMU_MAP_DMA = Base + 13;
        internal const nuint VFIO_IOMMU_UNMAP_DMA = Base + 14;
        internal const nuint VFIO_DEVICE_BIND_IOMMUFD = Base + 18;
        internal const nuint VFIO_DEVICE_ATTACH_IOMMUFD_PT = Base + 19;

        /// <summary>VFIO_API_VERSION: what VFIO_GET_API_VERSION must return.</summary>
        internal const int VFIO_API_VERSION = 0;

        /// <summary>VFIO_TYPE1v2_IOMMU: the IOMMU model for VFIO_CHECK_EXTENSION and VFIO_SET_IOMMU.</summary>
        internal const int VFIO_TYPE1v2_IOMMU = 3;
    }
}
