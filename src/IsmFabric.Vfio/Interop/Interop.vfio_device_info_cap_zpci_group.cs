using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct vfio_device_info_cap_zpci_group (linux/vfio_zdev.h): version 1 ends after version, version 2 adds imaxstbl.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 48)]
    internal struct vfio_device_info_cap_zpci_group
    {
        /// <summary>VFIO_DEVICE_INFO_CAP_ZPCI_GROUP.</summary>
        internal const ushort Id = 2;

        [FieldOffset(0)] internal vfio_info_cap_header header;
        [FieldOffset(8)] internal ulong dasm;
        [FieldOffset(16)] internal ulong msi_addr;
        [FieldOffset(24)] internal ulong flags;
        [FieldOffset(32)] internal ushort mui;
        [FieldOffset(34)] internal ushort noi;
        [FieldOffset(36)] internal ushort maxstbl;
        [FieldOffset(38)] internal byte version;
        [FieldOffset(39)] internal byte reserved;
        [FieldOffset(40)] internal ushort imaxstbl;
    }
}
