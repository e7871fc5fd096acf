using System.Buffers.Binary;
using IsmFabric.Vfio;

namespace IsmFabric.Ism.Tests;

/// <summary>Wraps a device, records every store and DMA release, and can corrupt what the device answers.</summary>
public sealed class RecordingDevice(IVfioDevice inner) : IVfioDevice
{
    private const long Bar2 = 2L << 48;
    private uint _lastCommand;

    public List<(long Offset, int Length)> Writes { get; } = [];

    public List<string> Log { get; } = [];

    /// <summary>Every DMA buffer handed out, in the order asked for (bring-up: the SBA page, then the IEQ page).</summary>
    public List<DmaBuffer> Allocations { get; } = [];

    /// <summary>When set, the response length of the next command is replaced by this value.</summary>
    public ushort? CorruptResponseLength { get; set; }

    /// <summary>When set, the function reports this imaxstbl in ZPCI GROUP and refuses larger stores with EINVAL, as the variant driver does.</summary>
    public ushort? Imaxstbl { get; set; }

    /// <summary>When set, the load of the response header of the next command with this code fails with EIO (after the command ran).</summary>
    public uint? FailResponseLoadOf { get; set; }

    /// <summary>When set, the token the next REG_DMB answers is replaced by this value.</summary>
    public ulong? CorruptToken { get; set; }

    public string Name => inner.Name;

    public VfioDeviceInfo GetInfo()
    {
        var info = inner.GetInfo();
        return Imaxstbl is { } limit && info.ZpciGroup is { } group ? info with { ZpciGroup = group with { Imaxstbl = limit } } : info;
    }

    public VfioRegionInfo GetRegionInfo(uint index) => inner.GetRegionInfo(index);

    public VfioIrqInfo GetIrqInfo(uint index) => inner.GetIrqInfo(index);

    public int Read(long offset, Span<byte> buffer)
    {
        if (offset == Bar2 && FailResponseLoadOf == _lastCommand)
        {
            FailResponseLoadOf = null;
            throw VfioErrors.FromErrno(Errno.EIO, $"pread({Name}, BAR2, 8 bytes)", "injected: the response could not be loaded");
        }

        var n = inner.Read(offset, buffer);
        if (offset == Bar2 && buffer.Length == 8 && CorruptResponseLength is { } len)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buffer[6..], len);
            CorruptResponseLength = null;
        }

        if (offset == Bar2 + 8 && _lastCommand == 0x0A && CorruptToken is { } token)
        {
            BinaryPrimitives.WriteUInt64BigEndian(buffer, token);
            CorruptToken = null;
        }

        return n;
    }

    public int Write(long offset, ReadOnlySpan<byte> buffer)
    {
        Writes.Add((offset, buffer.Length));
        if (offset >> 48 == 0 && Imaxstbl is { } limit && buffer.Length > limit)
        {
            throw VfioErrors.FromErrno(Errno.EINVAL, $"pwrite({Name}, offset 0x{offset:x}, {buffer.Length} bytes)", $"more than imaxstbl {limit}");
        }

        if (offset == Bar2 && buffer.Length == 8)
        {
            _lastCommand = BinaryPrimitives.ReadUInt32BigEndian(buffer);
            Log.Add($"cmd 0x{_lastCommand:x2}");
        }

        return inner.Write(offset, buffer);
    }

    public DmaBuffer AllocateDma(int length)
    {
        var buffer = new LoggedBuffer(inner.AllocateDma(length), Log);
        Allocations.Add(buffer);
        return buffer;
    }

    public IInterruptSource EnableMsi()
    {
        Log.Add("msi on");
        return inner.EnableMsi();
    }

    public void DisableMsi()
    {
        Log.Add("msi off");
        inner.DisableMsi();
    }

    public void Reset() => inner.Reset();

    public void Dispose() => inner.Dispose();

    private sealed class LoggedBuffer(DmaBuffer inner, List<string> log) : DmaBuffer
    {
        public override nint Address => inner.Address;

        public override ulong Iova => inner.Iova;

        public override int Length => inner.Length;

        protected override void Release()
        {
            log.Add($"unmap 0x{inner.Iova:x}");
            inner.Dispose();
        }
    }
}
