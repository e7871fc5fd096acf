using ZpciBase = IsmFabric.Vfio.Interop.vfio_device_info_cap_zpci_base;
using ZpciGroup = IsmFabric.Vfio.Interop.vfio_device_info_cap_zpci_group;
using ZpciPfip = IsmFabric.Vfio.Interop.vfio_device_info_cap_zpci_pfip;
using ZpciUtil = IsmFabric.Vfio.Interop.vfio_device_info_cap_zpci_util;

namespace IsmFabric.Vfio;

/// <summary>
/// Decodes the raw answer of VFIO_DEVICE_GET_INFO (struct vfio_device_info followed by its capability chain) into a
/// <see cref="VfioDeviceInfo"/>, and encodes one back into the bytes the kernel would return. Byte order is the
/// kernel's native order unless given; unknown capabilities are skipped; malformed chains raise
/// <see cref="VfioFormatException"/> naming the capability.
/// </summary>
public static class VfioDeviceInfoCodec
{
    /// <summary>The smallest answer the kernel produces: argsz, flags, num_regions, num_irqs.</summary>
    public const int MinimumSize = 16;

    private const int ArgszAt = 0;
    private const string InfoName = "VFIO_DEVICE_GET_INFO";

    private static readonly int FlagsAt = NativeLayout.Offset<Interop.vfio_device_info>(nameof(Interop.vfio_device_info.flags));
    private static readonly int NumRegionsAt = NativeLayout.Offset<Interop.vfio_device_info>(nameof(Interop.vfio_device_info.num_regions));
    private static readonly int NumIrqsAt = NativeLayout.Offset<Interop.vfio_device_info>(nameof(Interop.vfio_device_info.num_irqs));
    private static readonly int CapOffsetAt = NativeLayout.Offset<Interop.vfio_device_info>(nameof(Interop.vfio_device_info.cap_offset));
    private static readonly int CapOffsetEnd = NativeLayout.OffsetOfEnd<Interop.vfio_device_info>(nameof(Interop.vfio_device_info.cap_offset));
    private static readonly int InfoSize = NativeLayout.Size<Interop.vfio_device_info>();

    private static readonly int BaseStartDmaAt = NativeLayout.Offset<ZpciBase>(nameof(ZpciBase.start_dma));
    private static readonly int BaseEndDmaAt = NativeLayout.Offset<ZpciBase>(nameof(ZpciBase.end_dma));
    private static readonly int BasePchidAt = NativeLayout.Offset<ZpciBase>(nameof(ZpciBase.pchid));
    private static readonly int BaseVfnAt = NativeLayout.Offset<ZpciBase>(nameof(ZpciBase.vfn));
    private static readonly int BaseFmbLengthAt = NativeLayout.Offset<ZpciBase>(nameof(ZpciBase.fmb_length));
    private static readonly int BasePftAt = NativeLayout.Offset<ZpciBase>(nameof(ZpciBase.pft));
    private static readonly int BaseGidAt = NativeLayout.Offset<ZpciBase>(nameof(ZpciBase.gid));
    private static readonly int BaseFhAt = NativeLayout.Offset<ZpciBase>(nameof(ZpciBase.fh));
    private static readonly int BaseV1End = NativeLayout.OffsetOfEnd<ZpciBase>(nameof(ZpciBase.gid));
    private static readonly int BaseV2End = NativeLayout.OffsetOfEnd<ZpciBase>(nameof(ZpciBase.fh));

    private static readonly int GroupDasmAt = NativeLayout.Offset<ZpciGroup>(nameof(ZpciGroup.dasm));
    private static readonly int GroupMsiAddrAt = NativeLayout.Offset<ZpciGroup>(nameof(ZpciGroup.msi_addr));
    private static readonly int GroupFlagsAt = NativeLayout.Offset<ZpciGroup>(nameof(ZpciGroup.flags));
    private static readonly int GroupMuiAt = NativeLayout.Offset<ZpciGroup>(nameof(ZpciGroup.mui));
    private static readonly int GroupNoiAt = NativeLayout.Offset<ZpciGroup>(nameof(ZpciGroup.noi));
    private static readonly int GroupMaxstblAt = NativeLayout.Offset<ZpciGroup>(nameof(ZpciGroup.maxstbl));
    private static readonly int GroupVersionAt = NativeLayout.Offset<ZpciGroup>(nameof(ZpciGroup.version));
    private static readonly int GroupImaxstblAt = NativeLayout.Offset<ZpciGroup>(nameof(ZpciGroup.imaxstbl));
    private static readonly int GroupV1End = NativeLayout.OffsetOfEnd<ZpciGroup>(nameof(ZpciGroup.version));
    private static readonly int GroupV2End = NativeLayout.OffsetOfEnd<ZpciGroup>(nameof(ZpciGroup.imaxstbl));

    private static readonly int UtilSizeAt = NativeLayout.Offset<ZpciUtil>(nameof(ZpciUtil.size));
    private static readonly int PfipSizeAt = NativeLayout.Offset<ZpciPfip>(nameof(ZpciPfip.size));

    /// <summary>Decodes an answer in the host's byte order (what the kernel wrote into the ioctl buffer).</summary>
    public static VfioDeviceInfo Decode(ReadOnlySpan<byte> buffer) => Decode(buffer, ByteOrder.NativeIsBigEndian);

    /// <summary>Decodes an answer in the given byte order (true for an s390x buffer).</summary>
    public static VfioDeviceInfo Decode(ReadOnlySpan<byte> buffer, bool bigEndian)
    {
        if (buffer.Length < MinimumSize)
        {
            throw new VfioFormatException(InfoName, $"the answer is {buffer.Length} bytes, expected at least {MinimumSize}");
        }

        var flags = (VfioDeviceFlags)ByteOrder.U32(buffer, FlagsAt, bigEndian);
        var numRegions = ByteOrder.U32(buffer, NumRegionsAt, bigEndian);
        var numIrqs = ByteOrder.U32(buffer, NumIrqsAt, bigEndian);

        ZpciBaseCapability? zpciBase = null;
        ZpciGroupCapability? zpciGroup = null;
        ZpciUtilCapability? zpciUtil = null;
        ZpciPfipCapability? zpciPfip = null;

        // Without the CAPS flag the cap_offset field is not defined (kernels before capabilities, or a short answer).
        if ((flags & VfioDeviceFlags.Caps) != 0 && buffer.Length >= CapOffsetEnd)
        {
            var argsz = ByteOrder.U32(buffer, ArgszAt, bigEndian);
            var chain = argsz >= CapOffsetEnd && argsz < (uint)buffer.Length ? buffer[..(int)argsz] : buffer;
            var first = ByteOrder.U32(chain, CapOffsetAt, bigEndian);
            var capabilities = VfioCapabilityChain.Walk(chain, first, CapOffsetEnd, bigEndian, InfoName, out var chainError);
            foreach (var cap in capabilities)
            {
                var bytes = chain.Slice(cap.Offset, cap.Length);
                switch (cap.Id)
                {
                    case ZpciBase.Id:
                        zpciBase ??= DecodeBase(cap, bytes, bigEndian);
                        break;
                    case ZpciGroup.Id:
                        zpciGroup ??= DecodeGroup(cap, bytes, bigEndian);
                        break;
                    case ZpciUtil.Id:
                        zpciUtil ??= new ZpciUtilCapability(cap.Version, DecodeSized(cap, bytes, UtilSizeAt, bigEndian));
                        break;
                    case ZpciPfip.Id:
                        zpciPfip ??= new ZpciPfipCapability(cap.Version, DecodeSized(cap, bytes, PfipSizeAt, bigEndian));
                        break;
                    default:
                        // PCI_ATOMIC_COMP and whatever later kernels add: not ours to interpret.
                        break;
                }
            }

            // Reported after the capabilities, so a capability cut short by the buffer end is named first.
            if (chainError is not null)
            {
                throw chainError;
            }
        }

        return new VfioDeviceInfo(flags, numRegions, numIrqs, zpciBase, zpciGroup, zpciUtil, zpciPfip);
    }

    /// <summary>Encodes <paramref name="info"/> in the host's byte order.</summary>
    public static byte[] Encode(VfioDeviceInfo info) => Encode(info, ByteOrder.NativeIsBigEndian);

    /// <summary>
    /// Encodes <paramref name="info"/> as the kernel lays it out: the 24-byte vfio_device_info, then BASE, GROUP,
    /// UTIL and PFIP (those present), each 8-byte aligned and linked by <c>next</c>. CAPS is set when any capability
    /// is present. Version 1 capabilities are written at their version 1 length.
    /// </summary>
    public static byte[] Encode(VfioDeviceInfo info, bool bigEndian)
    {
        ArgumentNullException.ThrowIfNull(info);
        var sizes = new List<(ushort Id, ushort Version, int Size)>();
        if (info.ZpciBase is { } b)
        {
            sizes.Add((ZpciBase.Id, b.Version, b.Version >= 2 ? BaseV2End : BaseV1End));
        }

        if (info.ZpciGroup is { } g)
        {
            sizes.Add((ZpciGroup.Id, g.Version, g.Version >= 2 ? GroupV2End : GroupV1End));
        }

        if (info.ZpciUtil is { } u)
        {
            sizes.Add((ZpciUtil.Id, u.Version, ZpciUtil.util_str_offset + u.UtilString.Length));
        }

        if (info.ZpciPfip is { } p)
        {
            sizes.Add((ZpciPfip.Id, p.Version, ZpciPfip.pfip_offset + p.Pfip.Length));
        }

        var total = InfoSize;
        foreach (var (_, _, size) in sizes)
        {
            total += Align8(size);
        }

        var buffer = new byte[total];
        var flags = info.Flags | (sizes.Count > 0 ? VfioDeviceFlags.Caps : VfioDeviceFlags.None);
        ByteOrder.U32(buffer, ArgszAt, (uint)total, bigEndian);
        ByteOrder.U32(buffer, FlagsAt, (uint)flags, bigEndian);
        ByteOrder.U32(buffer, NumRegionsAt, info.NumRegions, bigEndian);
        ByteOrder.U32(buffer, NumIrqsAt, info.NumIrqs, bigEndian);
        ByteOrder.U32(buffer, CapOffsetAt, sizes.Count > 0 ? (uint)InfoSize : 0, bigEndian);

        var offset = InfoSize;
        for (var i = 0; i < sizes.Count; i++)
        {
            var (id, version, size) = sizes[i];
            var next = i + 1 < sizes.Count ? offset + Align8(size) : 0;
            var cap = buffer.AsSpan(offset, size);
            ByteOrder.U16(cap, 0, id, bigEndian);
            ByteOrder.U16(cap, 2, version, bigEndian);
            ByteOrder.U32(cap, 4, (uint)next, bigEndian);
            switch (id)
            {
                case ZpciBase.Id:
                    EncodeBase(info.ZpciBase!, cap, bigEndian);
                    break;
                case ZpciGroup.Id:
                    EncodeGroup(info.ZpciGroup!, cap, bigEndian);
                    break;
                case ZpciUtil.Id:
                    ByteOrder.U32(cap, UtilSizeAt, (uint)info.ZpciUtil!.UtilString.Length, bigEndian);
                    info.ZpciUtil.UtilString.CopyTo(cap[ZpciUtil.util_str_offset..]);
                    break;
                default:
                    ByteOrder.U32(cap, PfipSizeAt, (uint)info.ZpciPfip!.Pfip.Length, bigEndian);
                    info.ZpciPfip.Pfip.CopyTo(cap[ZpciPfip.pfip_offset..]);
                    break;
            }

            offset += Align8(size);
        }

        return buffer;
    }

    /// <summary>The name the kernel headers give a device capability id, for error messages.</summary>
    internal static string CapabilityName(ushort id, ushort version) => id switch
    {
        ZpciBase.Id => $"VFIO_DEVICE_INFO_CAP_ZPCI_BASE v{version}",
        ZpciGroup.Id => $"VFIO_DEVICE_INFO_CAP_ZPCI_GROUP v{version}",
        ZpciUtil.Id => $"VFIO_DEVICE_INFO_CAP_ZPCI_UTIL v{version}",
        ZpciPfip.Id => $"VFIO_DEVICE_INFO_CAP_ZPCI_PFIP v{version}",
        _ => $"device capability {id} v{version}",
    };

    private static ZpciBaseCapability DecodeBase(VfioCapability cap, ReadOnlySpan<byte> bytes, bool bigEndian)
    {
        RequireVersion(cap);
        var v2 = cap.Version >= 2;
        Require(cap, bytes, v2 ? BaseV2End : BaseV1End);
        return new ZpciBaseCapability(
            cap.Version,
            ByteOrder.U64(bytes, BaseStartDmaAt, bigEndian),
            ByteOrder.U64(bytes, BaseEndDmaAt, bigEndian),
            ByteOrder.U16(bytes, BasePchidAt, bigEndian),
            ByteOrder.U16(bytes, BaseVfnAt, bigEndian),
            ByteOrder.U16(bytes, BaseFmbLengthAt, bigEndian),
            bytes[BasePftAt],
            bytes[BaseGidAt],
            v2 ? ByteOrder.U32(bytes, BaseFhAt, bigEndian) : 0);
    }

    private static ZpciGroupCapability DecodeGroup(VfioCapability cap, ReadOnlySpan<byte> bytes, bool bigEndian)
    {
        RequireVersion(cap);
        var v2 = cap.Version >= 2;
        Require(cap, bytes, v2 ? GroupV2End : GroupV1End);
        return new ZpciGroupCapability(
            cap.Version,
            ByteOrder.U64(bytes, GroupDasmAt, bigEndian),
            ByteOrder.U64(bytes, GroupMsiAddrAt, bigEndian),
            ByteOrder.U64(bytes, GroupFlagsAt, bigEndian),
            ByteOrder.U16(bytes, GroupMuiAt, bigEndian),
            ByteOrder.U16(bytes, GroupNoiAt, bigEndian),
            ByteOrder.U16(bytes, GroupMaxstblAt, bigEndian),
            bytes[GroupVersionAt],
            v2 ? ByteOrder.U16(bytes, GroupImaxstblAt, bigEndian) : (ushort)0);
    }

    private static byte[] DecodeSized(VfioCapability cap, ReadOnlySpan<byte> bytes, int sizeAt, bool bigEndian)
    {
        RequireVersion(cap);
        Require(cap, bytes, sizeAt + sizeof(uint));
        var size = ByteOrder.U32(bytes, sizeAt, bigEndian);
        var dataAt = sizeAt + sizeof(uint);
        if (size > (uint)(bytes.Length - dataAt))
        {
            throw new VfioFormatException(
                CapabilityName(cap.Id, cap.Version),
                $"at offset {cap.Offset} declares {size} data bytes, but only {bytes.Length - dataAt} remain");
        }

        return bytes.Slice(dataAt, (int)size).ToArray();
    }

    private static void RequireVersion(VfioCapability cap)
    {
        if (cap.Version == 0)
        {
            throw new VfioFormatException(CapabilityName(cap.Id, cap.Version), $"at offset {cap.Offset} has version 0, which no kernel defines");
        }
    }

    private static void Require(VfioCapability cap, ReadOnlySpan<byte> bytes, int needed)
    {
        if (bytes.Length < needed)
        {
            throw new VfioFormatException(
                CapabilityName(cap.Id, cap.Version),
                $"at offset {cap.Offset} needs {needed} bytes, but only {bytes.Length} remain");
        }
    }

    private static void EncodeBase(ZpciBaseCapability b, Span<byte> cap, bool bigEndian)
    {
        ByteOrder.U64(cap, BaseStartDmaAt, b.StartDma, bigEndian);
        ByteOrder.U64(cap, BaseEndDmaAt, b.EndDma, bigEndian);
        ByteOrder.U16(cap, BasePchidAt, b.Pchid, bigEndian);
        ByteOrder.U16(cap, BaseVfnAt, b.Vfn, bigEndian);
        ByteOrder.U16(cap, BaseFmbLengthAt, b.FmbLength, bigEndian);
        cap[BasePftAt] = b.Pft;
        cap[BaseGidAt] = b.Gid;
        if (b.Version >= 2)
        {
            ByteOrder.U32(cap, BaseFhAt, b.FunctionHandle, bigEndian);
        }
    }

    private static void EncodeGroup(ZpciGroupCapability g, Span<byte> cap, bool bigEndian)
    {
        ByteOrder.U64(cap, GroupDasmAt, g.Dasm, bigEndian);
        ByteOrder.U64(cap, GroupMsiAddrAt, g.MsiAddress, bigEndian);
        ByteOrder.U64(cap, GroupFlagsAt, g.Flags, bigEndian);
        ByteOrder.U16(cap, GroupMuiAt, g.Mui, bigEndian);
        ByteOrder.U16(cap, GroupNoiAt, g.Noi, bigEndian);
        ByteOrder.U16(cap, GroupMaxstblAt, g.Maxstbl, bigEndian);
        cap[GroupVersionAt] = g.GroupVersion;
        if (g.Version >= 2)
        {
            ByteOrder.U16(cap, GroupImaxstblAt, g.Imaxstbl, bigEndian);
        }
    }

    private static int Align8(int size) => (size + 7) & ~7;
}
