using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct vfio_info_cap_header: the link of every VFIO capability chain.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    internal struct vfio_info_cap_header
    {
        /// <summary>Capability id; its meaning depends on the chain (device, region, IOMMU info).</summary>
        [FieldOffset(0)] internal ushort id;

        /// <summary>Capability version.</summary>
        [FieldOffset(2)] internal ushort version;

        /// <summary>Offset of the next capability from the start of the info buffer; 0 ends the chain.</summary>
        [FieldOffset(4)] internal uint next;
    }
}
