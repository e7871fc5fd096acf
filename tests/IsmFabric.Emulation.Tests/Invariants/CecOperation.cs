namespace IsmFabric.Emulation.Tests.Invariants;

/// <summary>
/// One step of a random run against the emulated CEC of <see cref="CecWorld"/>: three LPARs with two functions each.
/// Functions are named by their index in the definition: fn0/fn1 belong to lpar1, fn2/fn3 to lpar2, fn4/fn5 to lpar3;
/// even ones are on CHID 0x100, odd ones on 0x200. A step on a function first attaches its LPAR and opens and brings
/// up the function when that is not done yet, so that every step of a shrunk run does something.
/// </summary>
public abstract record CecOperation;

/// <summary>How a <see cref="TokenRef"/> picks its token.</summary>
public enum TokenKind
{
    /// <summary>The n-th (modulo how many) of the DMBs the acting function owns now.</summary>
    Own,

    /// <summary>The n-th of the DMBs the acting function may write now (registered for its GID on its CHID).</summary>
    Writable,

    /// <summary>The n-th of the acting function's DMBs that a stopped process's store is being copied into.</summary>
    InFlight,

    /// <summary>The n-th token REG_DMB handed out in this run: perhaps stale, perhaps another function's.</summary>
    Handed,

    /// <summary>A raw value, perhaps malformed.</summary>
    Raw,
}

/// <summary>A DMB token as a step names it; when no DMB fits its kind, the n-th handed out.</summary>
public readonly record struct TokenRef(TokenKind Kind, int N, ulong Raw)
{
    public override string ToString() => Kind switch
    {
        TokenKind.Own => $"its own DMB #{N}",
        TokenKind.Writable => $"writable DMB #{N}",
        TokenKind.InFlight => $"its DMB #{N} with a store in flight",
        TokenKind.Handed => $"token#{N}",
        _ => $"0x{Raw:x}",
    };
}

/// <summary>REG_DMB with whatever the fields say, valid or not.</summary>
/// <param name="Fn">The function that registers.</param>
/// <param name="Slot">The SBA slot asked for (32..1919 are valid).</param>
/// <param name="Length">The DMB's length (1 .. 1 MiB are valid).</param>
/// <param name="IovaOffset">Offset into the function's 128 KiB DMB area (larger DMBs run past it); -1 for an address outside the LPAR's memory.</param>
/// <param name="Rgid">The function (0..5) whose GID may write; 6 and up for a GID no function has.</param>
public sealed record RegisterDmb(int Fn, uint Slot, uint Length, long IovaOffset, int Rgid) : CecOperation
{
    public override string ToString() =>
        $"fn{Fn} REG_DMB slot {Slot}, {Length} bytes at {(IovaOffset < 0 ? "an address outside memory" : $"area+0x{IovaOffset:x}")}, rgid {(Rgid < 6 ? $"of fn{Rgid}" : "unknown")}";
}

/// <summary>UNREG_DMB of a known (perhaps stale, perhaps foreign) or raw token.</summary>
public sealed record UnregisterDmb(int Fn, TokenRef Token) : CecOperation
{
    public override string ToString() => $"fn{Fn} UNREG_DMB {Token}";
}

/// <summary>A store into a DMB: one BAR0 write at token | dmbe &lt;&lt; 24 | sf &lt;&lt; 23 | offset.</summary>
public sealed record Move(int Fn, TokenRef Token, int Offset, int Length, bool Signal, int Dmbe) : CecOperation
{
    public override string ToString() => $"fn{Fn} move {Length} bytes into {Token} at {Offset}{(Signal ? $", signal (dmbe {Dmbe})" : "")}";
}

/// <summary>SIGNAL_IEQ to a function's GID (6 and up: a GID nobody has).</summary>
public sealed record SignalEvent(int Fn, int Target, uint Code, ulong Info) : CecOperation
{
    public override string ToString() => $"fn{Fn} SIGNAL_IEQ to {(Target < 6 ? $"fn{Target}" : "an unknown GID")}, code 0x{Code:x}";
}

/// <summary>QUERY_RGID for a function's GID (6 and up: a GID nobody has).</summary>
public sealed record QueryRemoteGid(int Fn, int Target) : CecOperation
{
    public override string ToString() => $"fn{Fn} QUERY_RGID {(Target < 6 ? $"fn{Target}" : "an unknown GID")}";
}

/// <summary>A command with any code and any request length (most answer "unknown command" or "bad length").</summary>
public sealed record RawCommand(int Fn, uint Code, ushort Length, byte Fill) : CecOperation
{
    public override string ToString() => $"fn{Fn} command 0x{Code:x2}, length {Length}, body of 0x{Fill:x2}";
}

/// <summary>What <see cref="InjectFault"/> does.</summary>
public enum FaultKind
{
    EnterError,
    Recover,
    Unplug,
    Replug,
    FailCommands,
    LoseInterrupts,
    Clear,
}

/// <summary>EmulatedCec.InjectFault on a function; <paramref name="Count"/> for the failing commands or lost interrupts.</summary>
public sealed record InjectFault(int Fn, FaultKind Kind, int Count) : CecOperation
{
    public override string ToString() => $"fault fn{Fn}: {Kind}{(Kind is FaultKind.FailCommands or FaultKind.LoseInterrupts ? $" x{Count}" : "")}";
}

/// <summary>VFIO_DEVICE_RESET of a function: its registrations are dropped.</summary>
public sealed record ResetFunction(int Fn) : CecOperation
{
    public override string ToString() => $"fn{Fn} device reset";
}

/// <summary>The device of a function is closed (the next step on it opens it again).</summary>
public sealed record CloseFunction(int Fn) : CecOperation
{
    public override string ToString() => $"fn{Fn} close";
}

/// <summary>The process of an LPAR detaches cleanly (EmulatedLpar.Dispose).</summary>
public sealed record Detach(int Lpar) : CecOperation
{
    public override string ToString() => $"lpar{Lpar + 1} detaches";
}

/// <summary>The process of an LPAR is killed (SIGKILL): nothing is cleaned up.</summary>
public sealed record Kill(int Lpar) : CecOperation
{
    public override string ToString() => $"lpar{Lpar + 1} killed";
}

/// <summary>
/// The process of the function's LPAR is stopped (SIGSTOP) inside a store into the <paramref name="Nth"/> (modulo how
/// many) of the DMBs the function may write now: its checks passed, its hazard names the DMB, the copy is in flight
/// until <see cref="Resume"/> or a kill. Nothing happens when the function may write no DMB. A stopped LPAR takes no
/// other step.
/// </summary>
public sealed record StopInMove(int Fn, int Nth) : CecOperation
{
    public override string ToString() => $"lpar of fn{Fn} stopped inside a store of fn{Fn} into writable DMB #{Nth}";
}

/// <summary>The <paramref name="Nth"/> (modulo how many) of the stopped LPARs goes on (SIGCONT): its store completes.</summary>
public sealed record Resume(int Nth) : CecOperation
{
    public override string ToString() => $"stopped LPAR #{Nth} continues";
}

/// <summary>Where inside the CEC lock a process dies in <see cref="DieInsideLock"/>.</summary>
public enum TornWrite
{
    /// <summary>REG_DMB set the slot bit and the count, never published the entry.</summary>
    RegisterBeforePublish,

    /// <summary>UNREG_DMB marked the entry Unregistering, never freed it.</summary>
    UnregisterBeforeFree,

    /// <summary>A free returned the slot bit and the count, never marked the entry free.</summary>
    FreeBeforeMark,

    /// <summary>An entry holds a state no code writes.</summary>
    GarbageEntry,
}

/// <summary>
/// The process of the function's LPAR dies holding the CEC lock, halfway through a change to the function's tables
/// (its pid stays in the lock's holder field). <paramref name="Slot"/> for a torn register, <paramref name="Token"/>
/// for the torn unregister or free of one of the function's DMBs.
/// </summary>
public sealed record DieInsideLock(int Fn, TornWrite Where, uint Slot, TokenRef Token) : CecOperation
{
    public override string ToString() => $"lpar of fn{Fn} dies inside the CEC lock: {Where} (slot {Slot}, {Token})";
}
