using System.Buffers.Binary;
using IsmFabric.Vfio;

namespace IsmFabric.Ism.Tests;

/// <summary>Wraps a device, records every store and DMA release, and can corrupt what the device answers.</summary>
public sealed class RecordingDevice(IVfioDevice inner) : IVfioDevice
{
    public List<(long Offset, int Length)> Writes { get; } = [];

    public List<string> Log { get; } = [];

    /// <summary>Every DMA buffer handed out, in the order asked for (bring-up: the SBA page, then the IEQ page).</summary>
    public List<DmaBuffer> Allocations { get; } = [];

    /// <summary>When set, the response length of the next command is replaced by this value.</summary>
    public ushort? CorruptResponseLength { get; set; }

    public string Name => inner.Name;

    public VfioDeviceInfo GetInfo() => inner.GetInfo();

    public VfioRegionInfo GetRegionInfo(uint index) => inner.GetRegionInfo(index);

    public VfioIrqInfo GetIrqInfo(uint index) => inner.GetIrqInfo(index);

    public int Read(long offset, Span<byte> buffer)
    {
        var n = inner.Read(offset, buffer);
        if (offset == 2L << 48 && buffer.Length == 8 && CorruptResponseLength is { } len)
        {
            BinaryPrimitives.WriteUInt16BigEndian(buffer[6..], len);
            CorruptResponseLength = null;
        }

        return n;
    }

    public int Write(long offset, ReadOnlySpan<byte> buffer)
    {
        Writes.Add((offset, buffer.Length));
        if (offset == 2L << 48 && buffer.Length == 8)
        {
            Log.Add($"cmd 0x{BinaryPrimitives.ReadUInt32BigEndian(buffer):x2}");
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
