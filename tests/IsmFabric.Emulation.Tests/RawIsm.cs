using System.Buffers.Binary;
using IsmFabric.Vfio;

namespace IsmFabric.Emulation.Tests;

/// <summary>Speaks to an emulated function the way spec §2.1 describes, by hand, without the driver.</summary>
public sealed class RawIsm : IDisposable
{
    public const long Bar0 = 0;
    public const long Bar2 = 2L << 48;

    public RawIsm(EmulatedIsmDevice device)
    {
        Device = device;
    }

    public EmulatedIsmDevice Device { get; }

    public DmaBuffer? Sba { get; private set; }

    public DmaBuffer? Ieq { get; private set; }

    public IInterruptSource? Msi { get; private set; }

    public ulong Gid => Device.Definition.Gid;

    public (ushort Ret, byte[] Response) Command(uint code, ReadOnlySpan<byte> body, int? lengthOverride = null)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header, code);
        BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(6), (ushort)(lengthOverride ?? (8 + body.Length)));
        if (body.Length > 0)
        {
            Device.Write(Bar2 + 8, body);
        }

        Device.Write(Bar2, header);
        var resp = new byte[8];
        Device.Read(Bar2, resp);
        var ret = BinaryPrimitives.ReadUInt16BigEndian(resp.AsSpan(4));
        var len = BinaryPrimitives.ReadUInt16BigEndian(resp.AsSpan(6));
        var full = new byte[len];
        resp.CopyTo(full, 0);
        for (var at = 8; at < len; at += 8)
        {
            Device.Read(Bar2 + at, full.AsSpan(at, 8));
        }

        return (ret, full);
    }

    public static byte[] Body(params ulong[] words)
    {
        var b = new byte[words.Length * 8];
        for (var i = 0; i < words.Length; i++)
        {
            BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(i * 8), words[i]);
        }

        return b;
    }

    public static byte[] RegDmbBody(ulong iova, uint length, uint sbaIndex, ulong rgid, uint vlanValid = 0, uint vlanId = 0)
    {
        var b = new byte[32];
        BinaryPrimitives.WriteUInt64BigEndian(b, iova);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), length);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(12), sbaIndex);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(16), vlanValid);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(20), vlanId);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(24), rgid);
        return b;
    }

    public static byte[] SignalBody(ulong rgid, uint code, ulong info)
    {
        var b = new byte[24];
        BinaryPrimitives.WriteUInt64BigEndian(b, rgid);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(8), 1);
        BinaryPrimitives.WriteUInt32BigEndian(b.AsSpan(12), code);
        BinaryPrimitives.WriteUInt64BigEndian(b.AsSpan(16), info);
        return b;
    }

    /// <summary>MSI, REG_SBA, REG_IEQ(512) as the kernel does.</summary>
    public RawIsm BringUp()
    {
        Msi = Device.EnableMsi();
        Sba = Device.AllocateDma(4096);
        Assert.Equal(0, Command(0x01, Body(Sba.Iova)).Ret);
        Ieq = Device.AllocateDma(4096);
        Assert.Equal(0, Command(0x02, Body(Ieq.Iova, 512)).Ret);
        return this;
    }

    public (ushort Ret, ulong Token, DmaBuffer Buffer) RegisterDmb(int length, uint slot, ulong rgid)
    {
        var buffer = Device.AllocateDma(length);
        var (ret, resp) = Command(0x0A, RegDmbBody(buffer.Iova, (uint)length, slot, rgid));
        return (ret, ret == 0 ? BinaryPrimitives.ReadUInt64BigEndian(resp.AsSpan(8)) : 0, buffer);
    }

    public ulong IeqIndex => BinaryPrimitives.ReadUInt64BigEndian(Ieq!.Span);

    public (uint Type, uint Code, ulong Token, ulong Info) IeqEntry(int slot)
    {
        var e = Ieq!.Span.Slice(32 + (slot * 32), 32);
        return (BinaryPrimitives.ReadUInt32BigEndian(e), BinaryPrimitives.ReadUInt32BigEndian(e[4..]),
            BinaryPrimitives.ReadUInt64BigEndian(e[8..]), BinaryPrimitives.ReadUInt64BigEndian(e[24..]));
    }

    public void Dispose() => Device.Dispose();
}
