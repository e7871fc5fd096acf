using FsCheck;
using FsCheck.Fluent;

namespace IsmFabric.Emulation.Tests.Invariants;

/// <summary>
/// Random steps for <see cref="CecWorld"/>: mostly valid commands and moves on a few slots and tokens (so that they
/// collide), with invalid values, faults, stops and deaths mixed in. Runs shrink by dropping steps (FsCheck's array
/// shrinker) and by making the remaining steps plainer.
/// </summary>
public static class CecOperationArbitrary
{
    private static readonly ulong[] RawTokens = [0, 1UL << 32, 5UL << 32, (1UL << 32) | 1, 0xFFFF_0000_0000, ulong.MaxValue];

    /// <summary>One step, shrinking to plainer steps.</summary>
    public static Arbitrary<CecOperation> Operation() => Arb.From(Any, Shrink);

    /// <summary>
    /// A run of 5..30 steps whatever the test size (FsCheck's own arrays are mostly a handful of steps long, too short
    /// for a stop, an unregister and a resume to meet), shrinking as FsCheck shrinks arrays: fewer steps, then plainer ones.
    /// </summary>
    public static Arbitrary<CecOperation[]> Run() =>
        Arb.From(Gen.Choose(5, 30).SelectMany(n => Gen.ArrayOf(Any, n)), Arb.Array(Operation()).Shrinker);

    // Mostly fn0 and fn2 (lpar1 and lpar2 on CHID 0x100, so their stores into each other land), sometimes any: steps
    // that meet on the same functions and DMBs find more than steps spread thin.
    private static Gen<int> Fn => Gen.Frequency((3, Gen.Elements(0, 2)), (1, Gen.Choose(0, 5)));

    private static Gen<int> Lpar => Gen.Frequency((3, Gen.Elements(0, 1)), (1, Gen.Choose(0, 2)));

    private static Gen<TokenRef> Token(TokenKind likely) => Gen.Frequency(
        (5, Gen.Choose(0, 3).Select(n => new TokenRef(likely, n, 0))),
        (likely == TokenKind.Own ? 2 : 0, Gen.Choose(0, 1).Select(n => new TokenRef(TokenKind.InFlight, n, 0))),
        (2, Gen.Choose(0, 6).Select(n => new TokenRef(TokenKind.Handed, n, 0))),
        (1, Gen.Elements(RawTokens).Select(raw => new TokenRef(TokenKind.Raw, 0, raw))));

    private static Gen<uint> Slot => Gen.Frequency(
        (6, Gen.Choose(32, 40).Select(s => (uint)s)),
        (1, Gen.Elements(0u, 31u, 1919u, 1920u, uint.MaxValue)),
        (1, Gen.Choose(32, 1919).Select(s => (uint)s)));

    private static Gen<uint> Length => Gen.Frequency(
        (6, Gen.Elements(4096u, 16384u, 1u, 65536u)),
        (1, Gen.Elements(0u, 1u << 20, (1u << 20) + 1)),
        (1, Gen.Choose(1, 8192).Select(l => (uint)l)));

    private static Gen<long> IovaOffset => Gen.Frequency(
        (8, Gen.Elements(0L, 4096L, 0x10000L)),
        (1, Gen.Elements(1L, 0xFF000L, 1L << 20, -1L)));

    /// <summary>Mostly a peer the function can reach (fn0 and fn2 each other's, else the next LPAR's on the same CHID), sometimes any, or nobody.</summary>
    private static Gen<int> Target(int fn) => Gen.Frequency((6, Gen.Constant(fn switch { 0 => 2, 2 => 0, _ => (fn + 2) % 6 })), (2, Fn), (1, Gen.Constant(6)));

    private static Gen<CecOperation> Any => Gen.Frequency(
        (10, from fn in Fn from slot in Slot from length in Length from iova in IovaOffset from rgid in Target(fn)
             select (CecOperation)new RegisterDmb(fn, slot, length, iova, rgid)),
        (6, from fn in Fn from token in Token(TokenKind.Own) select (CecOperation)new UnregisterDmb(fn, token)),
        (6, from fn in Fn
            from token in Token(TokenKind.Writable)
            from offset in Gen.Frequency((6, Gen.Elements(0, 64, 4000)), (1, Gen.Choose(0, 70_000)))
            from length in Gen.Elements(1, 8, 256, 4096, 4097)
            from signal in Gen.Elements(true, false)
            from dmbe in Gen.Choose(0, 15)
            select (CecOperation)new Move(fn, token, offset, length, signal, dmbe)),
        (2, from fn in Fn from target in Target(fn) from code in Gen.Elements(0x90u, 0x83u)
            select (CecOperation)new SignalEvent(fn, target, code, 0x1_0000_0001)),
        (1, from fn in Fn from target in Target(fn) select (CecOperation)new QueryRemoteGid(fn, target)),
        (2, from fn in Fn
            from code in Gen.Frequency(
                (1, Gen.Elements(0x01u, 0x02u, 0x09u, 0x0Au, 0x0Bu, 0x0Eu, 0x11u, 0x12u)),
                (1, Gen.Choose(0, 0x20).Select(c => (uint)c)))
            from length in Gen.Elements<ushort>(0, 8, 16, 24, 32, 40, 4096, 65535)
            from fill in Gen.Elements<byte>(0x00, 0x01, 0xFF)
            select (CecOperation)new RawCommand(fn, code, length, fill)),
        (2, from fn in Fn from kind in Gen.Elements(Enum.GetValues<FaultKind>()) from count in Gen.Choose(1, 3)
            select (CecOperation)new InjectFault(fn, kind, count)),
        (1, Fn.Select(fn => (CecOperation)new ResetFunction(fn))),
        (1, Fn.Select(fn => (CecOperation)new CloseFunction(fn))),
        (1, Lpar.Select(l => (CecOperation)new Detach(l))),
        (1, Lpar.Select(l => (CecOperation)new Kill(l))),
        (3, from fn in Fn from nth in Gen.Choose(0, 3) select (CecOperation)new StopInMove(fn, nth)),
        (3, Gen.Choose(0, 2).Select(n => (CecOperation)new Resume(n))),
        (1, from fn in Fn from torn in Gen.Elements(Enum.GetValues<TornWrite>()) from slot in Gen.Choose(32, 40) from token in Token(TokenKind.Own)
            select (CecOperation)new DieInsideLock(fn, torn, (uint)slot, token)));

    /// <summary>Plainer versions of a step: the first known token, slot 32, one page, no offset, no signal.</summary>
    private static IEnumerable<CecOperation> Shrink(CecOperation op)
    {
        var first = new TokenRef(TokenKind.Handed, 0, 0);
        CecOperation[] candidates = op switch
        {
            RegisterDmb r => [r with { Slot = 32 }, r with { Length = 4096 }, r with { IovaOffset = 0 }],
            UnregisterDmb u => [u with { Token = first }],
            Move m => [m with { Token = first }, m with { Offset = 0 }, m with { Length = 8 }, m with { Signal = false, Dmbe = 0 }],
            StopInMove s => [s with { Nth = 0 }],
            DieInsideLock d => [d with { Token = first }, d with { Slot = 32 }],
            InjectFault f => [f with { Count = 1 }],
            RawCommand c => [c with { Fill = 0 }],
            _ => [],
        };
        return candidates.Where(c => c != op);
    }
}
