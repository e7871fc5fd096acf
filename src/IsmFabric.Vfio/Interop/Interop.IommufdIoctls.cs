namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>iommufd ioctl request numbers from linux/iommufd.h: <c>_IO(';', 0x80 + n)</c>.</summary>
    internal static class IommufdIoctl
    {
        /// <summary>_IOC_NONE &lt;&lt; 30 | 0 &lt;&lt; 16 | IOMMUFD_TYPE &lt;&lt; 8 | IOMMUFD_CMD_BASE.</summary>
        private const nuint Base = (0x3B << 8) | 0x80;

        internal const nuint IOMMU_IOAS_ALLOC = Base + 1;
        internal const nuint IOMMU_IOAS_IOVA_RANGES = Base + 4;
        internal const nuint IOMMU_IOAS_MAP = Base + 5;
        internal const nuint IOMMU_IOAS_UNMAP = Base + 6;
    }
}
