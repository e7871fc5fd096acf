using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct vfio_device_info_cap_zpci_util without its flexible util_str[] (size bytes of EBCDIC follow at 12).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 12)]
    internal struct vfio_device_info_cap_zpci_util
    {
        /// <summary>VFIO_DEVICE_INFO_CAP_ZPCI_UTIL.</summary>
        internal const ushort Id = 3;

        /// <summary>offsetof(util_str): where the string starts.</summary>
        internal const int util_str_offset = 12;

        [FieldOffset(0)] internal vfio_info_cap_header header;
        [FieldOffset(8)] internal uint size;
    }
}
