namespace IsmFabric.Vfio.Tests;

/// <summary>
/// A VFIO_DEVICE_GET_INFO answer shaped like an ISM function's under vfio-pci-core with zPCI capabilities
/// (vfio_pci_zdev.c fills base, group, util, pfip in that order, each 8-byte aligned), built at literal offsets.
/// </summary>
internal static class IsmDeviceInfoSamples
{
    public const ulong StartDma = 0x1_0000_0000;
    public const ulong EndDma = 0x1_ffff_ffff;
    public const ushort Pchid = 0x07c0;
    public const uint FunctionHandle = 0x0000_0311;
    public const ushort Imaxstbl = 4096;
    public static readonly byte[] Pfip = [0x01, 0x02, 0x03, 0x04];

    /// <summary>The PNETIDs in the sample utility string: port 0 "NETA", port 1 "NETB12", ports 2 and 3 unset.</summary>
    public static byte[] UtilString() => PnetId.Encode(["NETA", "NETB12"]);

    /// <summary>flags RESET|PCI|CAPS, 9 regions, 5 IRQs, BASE v2 @24, GROUP v2 @64, UTIL v1 @112, PFIP v1 @192; 208 bytes.</summary>
    public static RawBuffer Full(bool bigEndian)
    {
        var b = new RawBuffer(208, bigEndian)
            .U32(0, 208).U32(4, 0x83).U32(8, 9).U32(12, 5).U32(16, 24).U32(20, 0);

        // BASE v2: start_dma, end_dma, pchid, vfn, fmb_length, pft, gid, fh.
        b.CapHeader(24, 1, 2, 64).U64(32, StartDma).U64(40, EndDma).U16(48, Pchid).U16(50, 0x0001)
            .U16(52, 0x0030).U8(54, 0x05).U8(55, 0x09).U32(56, FunctionHandle);

        // GROUP v2: dasm, msi_addr, flags, mui, noi, maxstbl, version, reserved, imaxstbl.
        b.CapHeader(64, 2, 2, 112).U64(72, 0x7fff_ffff_ffff).U64(80, 0xfe00_0000).U64(88, 1).U16(96, 1000)
            .U16(98, 1).U16(100, 128).U8(102, 0x04).U16(104, Imaxstbl);

        // UTIL v1: size 64, then the EBCDIC string.
        b.CapHeader(112, 3, 1, 192).U32(120, 64).Raw(124, UtilString());

        // PFIP v1: size 4, then the path bytes.
        b.CapHeader(192, 4, 1, 0).U32(200, 4).Raw(204, Pfip);
        return b;
    }

    /// <summary>The decoded form of <see cref="Full"/>.</summary>
    public static VfioDeviceInfo Decoded() => new(
        VfioDeviceFlags.Reset | VfioDeviceFlags.Pci | VfioDeviceFlags.Caps,
        9,
        5,
        new ZpciBaseCapability(2, StartDma, EndDma, Pchid, 1, 0x30, 0x05, 0x09, FunctionHandle),
        new ZpciGroupCapability(2, 0x7fff_ffff_ffff, 0xfe00_0000, 1, 1000, 1, 128, 0x04, Imaxstbl),
        new ZpciUtilCapability(1, UtilString()),
        new ZpciPfipCapability(1, Pfip));
}
