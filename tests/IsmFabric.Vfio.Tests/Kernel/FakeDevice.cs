using Req = IsmFabric.Vfio.Interop.VfioIoctl;

namespace IsmFabric.Vfio.Tests;

/// <summary>
/// A vfio-pci device fd shaped like the ISM variant driver: info with zPCI capabilities, regions at index &lt;&lt; 48,
/// one MSI vector, pread/pwrite into region backing stores, and the cdev bind/attach ioctls.
/// </summary>
internal sealed unsafe class FakeDevice(FakeVfioKernel kernel, string path, string name) : FakeFile(kernel, path, "device")
{
    public string DeviceName { get; } = name;

    public byte[] InfoAnswer { get; set; } = VfioDeviceInfoCodec.Encode(IsmDeviceInfoSamples.Decoded());

    /// <summary>index → (flags, size, offset); other indexes answer EINVAL as the ISM variant driver does.</summary>
    public Dictionary<uint, (uint Flags, ulong Size, ulong Offset)> Regions { get; } = new()
    {
        [0] = (3, 1UL << 48, 0),
        [2] = (3, 0x1000, 2UL << 48),
        [7] = (3, 0x1000, 7UL << 48),
    };

    public Dictionary<ulong, byte[]> Memory { get; } = new()
    {
        [2UL << 48] = new byte[0x1000],
        [7UL << 48] = new byte[0x1000],
    };

    public List<byte[]> IrqSets { get; } = [];

    public int? MsiEventfd { get; private set; }

    public int Resets { get; private set; }

    public int InfoCalls { get; private set; }

    public List<(long Offset, int Length)> Writes { get; } = [];

    public int ShortBy { get; set; }

    public int? BoundIommufd { get; private set; }

    public uint? AttachedIoas { get; private set; }

    public FakeIommufd? Iommufd { get; set; }

    public override nint PRead(Span<byte> buffer, long offset, out int errno)
    {
        Kernel.Log.Add($"device pread 0x{offset:x} {buffer.Length}");
        if (!Locate(offset, buffer.Length, out var store, out var at))
        {
            errno = Errno.EINVAL;
            return -1;
        }

        errno = 0;
        var count = buffer.Length - ShortBy;
        store.AsSpan(at, count).CopyTo(buffer);
        return count;
    }

    public override nint PWrite(ReadOnlySpan<byte> buffer, long offset, out int errno)
    {
        Kernel.Log.Add($"device pwrite 0x{offset:x} {buffer.Length}");
        if (!Locate(offset, buffer.Length, out var store, out var at))
        {
            errno = Errno.EINVAL;
            return -1;
        }

        errno = 0;
        Writes.Add((offset, buffer.Length));
        buffer.CopyTo(store.AsSpan(at));
        return buffer.Length;
    }

    /// <summary>Raises the MSI, as the kernel's interrupt handler does: eventfd_signal on the registered eventfd.</summary>
    public void RaiseMsi() => TestLibc.SignalEventfd(MsiEventfd ?? throw new InvalidOperationException("MSI is not enabled"));

    protected override int HandleValue(nuint request, nint value)
    {
        if (request != Req.VFIO_DEVICE_RESET)
        {
            throw new ErrnoException(Errno.ENOTTY);
        }

        Resets++;
        return 0;
    }

    protected override int Handle(nuint request, byte* argument)
    {
        switch (request)
        {
            case Req.VFIO_DEVICE_GET_INFO:
                return GetInfo(argument);
            case Req.VFIO_DEVICE_GET_REGION_INFO:
            {
                RequireArgsz(argument, 32);
                ref var info = ref At<Interop.vfio_region_info>(argument);
                var (flags, size, offset) = Regions.TryGetValue(info.index, out var r) ? r : throw new ErrnoException(Errno.EINVAL);
                (info.flags, info.size, info.offset, info.cap_offset) = (flags, size, offset, 0);
                return 0;
            }

            case Req.VFIO_DEVICE_GET_IRQ_INFO:
            {
                RequireArgsz(argument, 16);
                ref var info = ref At<Interop.vfio_irq_info>(argument);
                (info.flags, info.count) = info.index switch
                {
                    VfioIrqIndex.Msi => (9u, 1u),
                    < VfioIrqIndex.NumIrqs => (1u, 0u),
                    _ => throw new ErrnoException(Errno.EINVAL),
                };
                return 0;
            }

            case Req.VFIO_DEVICE_SET_IRQS:
            {
                var argsz = RequireArgsz(argument, 20);
                IrqSets.Add(Copy(argument, (int)argsz));
                var set = At<Interop.vfio_irq_set>(argument);
                if (set.index == VfioIrqIndex.Msi && set.flags == 0x24 && set.start == 0 && set.count == 1 && argsz == 24)
                {
                    MsiEventfd = *(int*)(argument + 20);
                    return 0;
                }

                if (set.index == VfioIrqIndex.Msi && set.flags == 0x21 && set.count == 0 && argsz == 20)
                {
                    MsiEventfd = null;
                    return 0;
                }

                throw new ErrnoException(Errno.EINVAL);
            }

            case Req.VFIO_DEVICE_BIND_IOMMUFD:
            {
                RequireArgsz(argument, 16);
                ref var bind = ref At<Interop.vfio_device_bind_iommufd>(argument);
                if (bind.flags != 0 || Iommufd is null || bind.iommufd != Iommufd.Descriptor || BoundIommufd is not null)
                {
                    throw new ErrnoException(Errno.EINVAL);
                }

                BoundIommufd = bind.iommufd;
                bind.out_devid = 1;
                return 0;
            }

            case Req.VFIO_DEVICE_ATTACH_IOMMUFD_PT:
            {
                RequireArgsz(argument, 12);
                ref var attach = ref At<Interop.vfio_device_attach_iommufd_pt>(argument);
                if (BoundIommufd is null || attach.flags != 0 || attach.pt_id != Iommufd!.IoasId)
                {
                    throw new ErrnoException(Errno.EINVAL);
                }

                AttachedIoas = attach.pt_id;

                // The kernel answers with the hardware page table it created for the IOAS.
                attach.pt_id = 42;
                return 0;
            }

            default:
                throw new ErrnoException(Errno.ENOTTY);
        }
    }

    protected override void OnClose() => AttachedIoas = null;

    private int GetInfo(byte* argument)
    {
        InfoCalls++;
        var argsz = RequireArgsz(argument, 16);
        if (argsz < InfoAnswer.Length)
        {
            // The header fits, the capabilities do not: ask for more and leave cap_offset 0.
            var header = InfoAnswer.AsSpan(0, (int)Math.Min(argsz, 24u)).ToArray();
            new Span<byte>(argument, header.Length).Clear();
            header.CopyTo(new Span<byte>(argument, header.Length));
            *(uint*)argument = (uint)InfoAnswer.Length;
            if (argsz >= 20)
            {
                *(uint*)(argument + 16) = 0;
            }

            return 0;
        }

        InfoAnswer.CopyTo(new Span<byte>(argument, InfoAnswer.Length));
        *(uint*)argument = argsz;
        return 0;
    }

    private bool Locate(long offset, int length, out byte[] store, out int at)
    {
        foreach (var (start, bytes) in Memory)
        {
            if ((ulong)offset >= start && (ulong)offset + (ulong)length <= start + (ulong)bytes.Length)
            {
                store = bytes;
                at = (int)((ulong)offset - start);
                return true;
            }
        }

        store = [];
        at = 0;
        return false;
    }
}
