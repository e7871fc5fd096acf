using FsCheck;
using FsCheck.Fluent;

namespace IsmFabric.Ism.Tests.Fuzz;

/// <summary>Corruptions for <see cref="BrokenDeviceProperties"/>: mostly at the edges of what the spec allows.</summary>
public static class DeviceCorruptionArbitrary
{
    /// <summary>One corruption, shrinking toward plainer values.</summary>
    public static Arbitrary<DeviceCorruption> Corruption() => Arb.From(Any, Shrink);

    /// <summary>1..8 corruptions, shrinking by dropping them, then by making them plainer.</summary>
    public static Arbitrary<DeviceCorruption[]> Corruptions() =>
        Arb.From(Gen.Choose(1, 8).SelectMany(n => Gen.ArrayOf(Any, n)), Arb.Array(Corruption()).Shrinker);

    /// <summary>What the driver and its peer did before the device broke.</summary>
    public static Arbitrary<DriverTraffic> Traffic() => Arb.From(
        from dmbs in Gen.Choose(0, 3)
        from signals in Gen.Choose(0, 3)
        from events in Gen.Choose(0, 20)
        select new DriverTraffic(dmbs, signals, events),
        t => new[] { t with { Dmbs = 0 }, t with { Signals = 0 }, t with { Events = 0 } }.Where(s => s != t));

    private static Gen<ulong> Any64 =>
        from hi in Gen.Choose(int.MinValue, int.MaxValue)
        from lo in Gen.Choose(int.MinValue, int.MaxValue)
        select ((ulong)(uint)hi << 32) | (uint)lo;

    private static Gen<DeviceCorruption> Any => Gen.Frequency(
        (4, Gen.Frequency((3, Gen.Choose(32, 40)), (1, Gen.Choose(0, 31)), (1, Gen.Choose(1900, 1951)), (1, Gen.Choose(0, 1951)))
            .Select(slot => (DeviceCorruption)new SbaBit(slot))),
        (3, from offset in Gen.Frequency((2, Gen.Elements(0, 1, 3, 4, 243, 244, 247, 248, 255, 256, 257, 4094, 4095)), (1, Gen.Choose(0, 4095)))
            from value in Gen.Elements<byte>(0x80, 0x40, 0xC0, 0xFF, 0x01)
            select (DeviceCorruption)new SbaByte(offset, value)),
        (3, Gen.Frequency(
                (2, Gen.Constant(0UL)), (3, Gen.Choose(1, 15).Select(i => (ulong)i)),
                (1, Gen.Elements(16UL, 99UL, 1UL << 32, ulong.MaxValue)), (1, Any64))
            .Select(index => (DeviceCorruption)new IeqIndex(index))),
        (4, from slot in Gen.Choose(0, 14)
            from type in Gen.Frequency((3, Gen.Elements(0u, 1u, 2u)), (1, Gen.Elements(3u, uint.MaxValue)))
            from code in Gen.Frequency((3, Gen.Elements(0x04u, 0x07u, 0x83u, 0x80u)), (1, Gen.Elements(0u, 0xA1u, uint.MaxValue)))
            from token in Gen.Elements(Enum.GetValues<EntryToken>())
            from info in Gen.Frequency((2, Gen.Elements(0x1UL, 0x2UL, 0x0000_0005_0000_0001UL)), (1, Any64))
            select (DeviceCorruption)new IeqEntry(slot, type, code, token, info)),
        (1, from ieq in Gen.Elements(true, false)
            from offset in Gen.Frequency((2, Gen.Constant(0)), (1, Gen.Choose(0, 4095)))
            from length in Gen.Elements(8, 64, 512, 4096)
            from seed in Gen.Choose(0, 1000)
            select (DeviceCorruption)new PageNoise(ieq, offset, length, seed)));

    private static IEnumerable<DeviceCorruption> Shrink(DeviceCorruption c)
    {
        DeviceCorruption[] candidates = c switch
        {
            IeqEntry e => [e with { Info = 0 }, e with { Token = EntryToken.Zero }, e with { Slot = 0 }],
            PageNoise n => [n with { Length = n.Length / 2 }, n with { Offset = 0 }],
            SbaByte b => [b with { Value = 0x80 }],
            _ => [],
        };
        return candidates.Where(x => x != c);
    }
}
