using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct vfio_device_info_cap_zpci_pfip without its flexible pfip[] (size bytes follow at 12).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 12)]
    internal struct vfio_device_info_cap_zpci_pfip
    {
        /// <summary>VFIO_DEVICE_INFO_CAP_ZPCI_PFIP.</summary>
        internal const ushort Id = 4;

        /// <summary>offsetof(pfip): where the path bytes start.</summary>
        internal const int pfip_offset = 12;

        [FieldOffset(0)] internal vfio_info_cap_header header;
        [FieldOffset(8)] internal uint size;
    }
}
