namespace IsmFabric.Emulation;

/// <summary>
/// Faults to inject into one emulated function. Unset properties leave that fault as it is; several may be
/// combined. State changes (error, recover, unplug, replug) raise the events real firmware would raise.
/// </summary>
public sealed record FunctionFault
{
    /// <summary>The function enters the error state: loads and stores fail with EIO, its DMBs are dropped, peers get error-state events.</summary>
    public bool EnterErrorState { get; init; }

    /// <summary>The function leaves the error state; the LPAR must reset it and bring it up again.</summary>
    public bool Recover { get; init; }

    /// <summary>The function disappears: every access fails with ENODEV, peers get GID-disabled events.</summary>
    public bool Unplug { get; init; }

    /// <summary>An unplugged function comes back, ready to be opened again.</summary>
    public bool Replug { get; init; }

    /// <summary>The next N commands fail (answer <see cref="FailReturnCode"/>).</summary>
    public int? FailCommands { get; init; }

    /// <summary>Only commands with this code fail (0 = any).</summary>
    public byte FailCommandCode { get; init; }

    /// <summary>The ret failing commands answer (default ISM_ERROR 0xFFFF).</summary>
    public ushort FailReturnCode { get; init; } = 0xFFFF;

    /// <summary>The next N interrupts are lost (the SBA bits and IEQ entries are still written).</summary>
    public int? LoseInterrupts { get; init; }

    /// <summary>From now on, this many interrupts in a thousand are lost (0 turns it off).</summary>
    public int? LoseInterruptsPerMille { get; init; }

    /// <summary>From now on, interrupts arrive this many microseconds late (0 turns it off).</summary>
    public int? DelayInterruptsMicroseconds { get; init; }

    /// <summary>From now on, every store of a move takes this many microseconds (0 turns it off).</summary>
    public int? SlowMovesMicroseconds { get; init; }

    /// <summary>Clears every rate fault (failing commands, lost, late interrupts, slow moves) before applying the rest.</summary>
    public bool ClearAll { get; init; }
}
