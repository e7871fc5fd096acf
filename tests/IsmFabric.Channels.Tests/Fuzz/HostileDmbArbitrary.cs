using FsCheck;
using FsCheck.Fluent;
using IsmFabric.Channels;

namespace IsmFabric.Channels.Tests.Fuzz;

/// <summary>
/// Tampering for <see cref="HostileDmbProperties"/>: values near the ring's edges and the cursors' real values more
/// often than uniformly random ones, so that the checks at those edges are reached.
/// </summary>
public static class HostileDmbArbitrary
{
    internal const ulong ChannelId = 7;

    private static readonly ulong[] EdgeValues =
    [
        0, 1, 7, 8, 15, 16, 17, 256, 8048, 8049, 10096, 16128, 16127, 16129, 20224, 32256,
        int.MaxValue, uint.MaxValue, 1UL << 32, 1UL << 63, ulong.MaxValue - 7, ulong.MaxValue,
    ];

    private static readonly int[] ControlOffsets = [0, 4, 8, 64, 68, 70, 72, 80, 88, 96, 104, 124, 128, 132, 136, 144, 188, 252];

    /// <summary>One mutation, shrinking toward plainer values.</summary>
    public static Arbitrary<DmbMutation> Mutation() => Arb.From(AnyMutation, Shrink);

    /// <summary>
    /// Mostly a lying peer's stream (frames and padding appended, then published) with some damage after it; otherwise
    /// 1..8 mutations of any kind. Shrinks by dropping mutations, then by making them plainer.
    /// </summary>
    public static Arbitrary<DmbMutation[]> Mutations() => Arb.From(
        Gen.Frequency(
            (3, from appends in Gen.Choose(1, 5).SelectMany(n => Gen.ArrayOf(Append, n))
                from publish in Cursors
                from damage in Gen.Choose(0, 2).SelectMany(n => Gen.ArrayOf(AnyMutation, n))
                select appends.Append(publish).Concat(damage).ToArray()),
            (1, Gen.Choose(1, 8).SelectMany(n => Gen.ArrayOf(AnyMutation, n)))),
        Arb.Array(Mutation()).Shrinker);

    /// <summary>The traffic before the tampering, shrinking toward fewer and smaller messages.</summary>
    public static Arbitrary<ChannelTraffic> Traffic() => Arb.From(
        from size in Gen.Elements(16384, 20480)
        from read in Messages
        from replies in Messages
        from unread in Messages
        select new ChannelTraffic(size, read, replies, unread),
        ShrinkTraffic);

    private static Gen<int[]> Messages => Gen.Choose(0, 5).SelectMany(n =>
        Gen.ArrayOf(Gen.Frequency((5, Gen.Choose(0, 300)), (2, Gen.Choose(300, 3000))), n));

    private static Gen<ulong> Any64 =>
        from hi in Gen.Choose(int.MinValue, int.MaxValue)
        from lo in Gen.Choose(int.MinValue, int.MaxValue)
        select ((ulong)(uint)hi << 32) | (uint)lo;

    private static Gen<ulong> Value(int near) => Gen.Frequency(
        (4, Gen.Choose(0, near).Select(v => (ulong)v)),
        (3, Gen.Elements(EdgeValues)),
        (1, Any64));

    private static Gen<int> Offset => Gen.Frequency(
        (3, Gen.Elements(ControlOffsets)),
        (2, Gen.Choose(256, 20480)),
        (1, Gen.Choose(0, 255)));

    private static Gen<int> Skew(params int[] lies) => Gen.Frequency((6, Gen.Constant(0)), (1, Gen.Elements(lies)));

    private static Gen<DmbMutation> Append => Gen.Frequency(
        (5, from length in Gen.Frequency(
                (4, Gen.Choose(0, 3000)), (3, Gen.Choose(3000, 8048)),
                (1, Gen.Elements(8047, 8048, 8049, 10095, 10096, 16112, int.MaxValue)))
            from type in Gen.Frequency((8, Gen.Constant(FrameHeader.Data)), (1, Gen.Elements<ushort>(0, 2, 3)))
            from sequence in Skew(-1, 1, 2)
            from claim in Skew(-16, -8, 8, 16, 10_000, -10_000)
            select (DmbMutation)new AppendFrame((uint)length, type, sequence, claim)),
        (2, Gen.Elements(-8, 0, 8, 16, 104).Select(skew => (DmbMutation)new AppendFrameToEnd(skew))),
        (1, Skew(-8, 8, 16).Select(skew => (DmbMutation)new AppendPadding(skew))));

    private static Gen<DmbMutation> Cursors =>
        from flags in Gen.Elements(ControlFlags.None, ControlFlags.WantsData, ControlFlags.WantsSpace, ControlFlags.Closing)
        from producer in Gen.Frequency((6, Gen.Constant(0L)), (1, Gen.Elements(-8L, 8L, 16128L, -16128L, long.MaxValue)))
        from consumer in Gen.Frequency((6, Gen.Constant(0L)), (1, Gen.Elements(-1L, 1L, 100_000L)))
        from expected in Gen.Frequency((6, Gen.Constant(0L)), (1, Gen.Elements(-1L, 1L, 1000L)))
        from otherChannel in Gen.Frequency((12, Gen.Constant(false)), (1, Gen.Constant(true)))
        from otherEpoch in Gen.Frequency((12, Gen.Constant(false)), (1, Gen.Constant(true)))
        select (DmbMutation)new PublishCursors(flags, producer, consumer, expected, otherChannel, otherEpoch);

    private static Gen<DmbMutation> AnyMutation => Gen.Frequency(
        (3, Append),
        (2, Cursors),
        (4, from update in Gen.Frequency((4, Gen.Choose(1, 40).Select(u => (uint)u)), (1, Gen.Elements(0u, uint.MaxValue)))
            from flags in Gen.Elements(ControlFlags.None, ControlFlags.WantsData, ControlFlags.WantsSpace, ControlFlags.Closing, (ControlFlags)0xFFFF)
            from producer in Value(40_000)
            from consumer in Value(20_000)
            from channel in Gen.Frequency((6, Gen.Constant(ChannelId)), (1, Any64))
            from expected in Value(20)
            from epoch in Gen.Frequency((6, Gen.Constant(0u)), (1, Gen.Elements(1u, uint.MaxValue)))
            select (DmbMutation)new Publish(update, flags, producer, consumer, channel, expected, epoch)),
        (4, from position in Gen.Frequency((4, Gen.Choose(0, 2530).Select(p => p * 8)), (1, Gen.Choose(0, 20480)))
            from length in Value(10_000)
            from type in Gen.Frequency((4, Gen.Elements<ushort>(1, 2)), (1, Gen.Elements<ushort>(0, 3, 0xFFFF)))
            from sequence in Value(20)
            select (DmbMutation)new Frame(position, (uint)length, type, sequence)),
        (2, from offset in Offset from value in Value(40_000) select (DmbMutation)new SetU64(offset, value)),
        (2, from offset in Offset from value in Value(40_000) select (DmbMutation)new SetU32(offset, (uint)value)),
        (2, from offset in Offset from value in Gen.Choose(0, 255) select (DmbMutation)new SetByte(offset, (byte)value)),
        (1, from offset in Offset from length in Gen.Choose(1, 512) from seed in Gen.Choose(0, 1000)
            select (DmbMutation)new Noise(offset, length, seed)));

    private static IEnumerable<DmbMutation> Shrink(DmbMutation m)
    {
        DmbMutation[] candidates = m switch
        {
            Publish p => [p with { Flags = ControlFlags.None }, p with { ChannelId = ChannelId }, p with { Epoch = 0 }, p with { Update = 1 }],
            Frame f => [f with { Sequence = 0 }, f with { Type = 1 }, f with { Position = 0 }],
            Noise n => [n with { Length = n.Length / 2 }],
            AppendFrameToEnd e => [e with { Skew = 0 }],
            AppendFrame a => [a with { SequenceSkew = 0 }, a with { Claim = 0 }, a with { Type = FrameHeader.Data }, a with { Length = a.Length / 2 }],
            PublishCursors c => [c with { ProducerSkew = 0 }, c with { ConsumerSkew = 0 }, c with { ExpectedSkew = 0 }, c with { Flags = ControlFlags.None }],
            _ => [],
        };
        return candidates.Where(c => c != m);
    }

    private static IEnumerable<ChannelTraffic> ShrinkTraffic(ChannelTraffic t)
    {
        if (t.Read.Length > 0)
        {
            yield return t with { Read = t.Read[..^1] };
        }

        if (t.Replies.Length > 0)
        {
            yield return t with { Replies = t.Replies[..^1] };
        }

        if (t.Unread.Length > 0)
        {
            yield return t with { Unread = t.Unread[..^1] };
        }

        if (t.ReaderDmbSize != 16384)
        {
            yield return t with { ReaderDmbSize = 16384 };
        }
    }
}
