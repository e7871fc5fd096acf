using System.Buffers.Binary;
using IsmFabric.Vfio;

namespace IsmFabric.Ism.Tests.Fuzz;

/// <summary>
/// One write a broken device makes into the driver's SBA or IEQ page (spec §3.2, §3.4): bits in the summary, DMB bits
/// (also for slots below 32 and in the reserved bytes past slot 1919), DMBE masks, the IEQ index and entries, or noise.
/// </summary>
public abstract record DeviceCorruption
{
    /// <summary>Writes the corruption into <paramref name="pages"/>.</summary>
    public abstract void Apply(DriverPages pages);
}

/// <summary>The driver's two pages as a device sees them, and the values an IEQ entry may name.</summary>
/// <param name="Sba">The SBA page.</param>
/// <param name="Ieq">The IEQ page (a 32-byte header, then 15 entries of 32 bytes).</param>
/// <param name="PeerGid">The GID of the peer function (a test-link request from it gets answered).</param>
/// <param name="OwnToken">A token of one of the driver's DMBs (0 when it has none).</param>
public sealed record DriverPages(DmaBuffer Sba, DmaBuffer Ieq, ulong PeerGid, ulong OwnToken);

/// <summary>The bit of <paramref name="Slot"/> in the SBA's DMB bits (slot 1920..1951 lies in the reserved bytes after them).</summary>
public sealed record SbaBit(int Slot) : DeviceCorruption
{
    public override void Apply(DriverPages pages) => pages.Sba.Span[4 + (Slot / 8)] |= (byte)(0x80 >> (Slot % 8));

    public override string ToString() => $"SBA bit of slot {Slot}";
}

/// <summary>A byte anywhere in the SBA page.</summary>
public sealed record SbaByte(int Offset, byte Value) : DeviceCorruption
{
    public override void Apply(DriverPages pages) => pages.Sba.Span[Offset] = Value;

    public override string ToString() => $"SBA byte {Offset} = 0x{Value:x2}";
}

/// <summary>The IEQ header's index (big-endian u64 at offset 0): 1..15 are valid once an event came.</summary>
public sealed record IeqIndex(ulong Value) : DeviceCorruption
{
    public override void Apply(DriverPages pages) => BinaryPrimitives.WriteUInt64BigEndian(pages.Ieq.Span, Value);

    public override string ToString() => $"IEQ index = {Value}";
}

/// <summary>What an IEQ entry's token field holds.</summary>
public enum EntryToken
{
    Zero,
    PeerGid,
    OwnDmb,
    Junk,
}

/// <summary>An IEQ entry (0..14) with any type, code, token and info.</summary>
public sealed record IeqEntry(int Slot, uint Type, uint Code, EntryToken Token, ulong Info) : DeviceCorruption
{
    public override void Apply(DriverPages pages)
    {
        var entry = pages.Ieq.Span.Slice(32 + (Slot * 32), 32);
        BinaryPrimitives.WriteUInt32BigEndian(entry, Type);
        BinaryPrimitives.WriteUInt32BigEndian(entry[4..], Code);
        BinaryPrimitives.WriteUInt64BigEndian(entry[8..], Token switch
        {
            EntryToken.PeerGid => pages.PeerGid,
            EntryToken.OwnDmb => pages.OwnToken,
            EntryToken.Junk => 0xDEAD_BEEF_0BAD_F00D,
            _ => 0,
        });
        BinaryPrimitives.WriteUInt64BigEndian(entry[24..], Info);
    }

    public override string ToString() => $"IEQ entry {Slot}: type {Type}, code 0x{Code:x}, token {Token}, info 0x{Info:x}";
}

/// <summary>Random bytes (from <paramref name="Seed"/>) over a range of the SBA or the IEQ page.</summary>
public sealed record PageNoise(bool Ieq, int Offset, int Length, int Seed) : DeviceCorruption
{
    public override void Apply(DriverPages pages)
    {
        var page = (Ieq ? pages.Ieq : pages.Sba).Span;
        new Random(Seed).NextBytes(page.Slice(Offset, Math.Min(Length, page.Length - Offset)));
    }

    public override string ToString() => $"{Length} random bytes (seed {Seed}) at {(Ieq ? "IEQ" : "SBA")} {Offset}";
}
