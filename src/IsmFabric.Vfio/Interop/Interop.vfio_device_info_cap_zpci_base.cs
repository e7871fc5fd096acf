using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct vfio_device_info_cap_zpci_base (linux/vfio_zdev.h): version 1 ends after gid, version 2 adds fh.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 40)]
    internal struct vfio_device_info_cap_zpci_base
    {
        /// <summary>VFIO_DEVICE_INFO_CAP_ZPCI_BASE.</summary>
        internal const ushort Id = 1;

        [FieldOffset(0)] internal vfio_info_cap_header header;
        [FieldOffset(8)] internal ulong start_dma;
        [FieldOffset(16)] internal ulong end_dma;
        [FieldOffset(24)] internal ushort pchid;
        [FieldOffset(26)] internal ushort vfn;
        [FieldOffset(28)] internal ushort fmb_length;
        [FieldOffset(30)] internal byte pft;
        [FieldOffset(31)] internal byte gid;
        [FieldOffset(32)] internal uint fh;
    }
}
