namespace IsmFabric.Ism;

/// <summary>One entry drained from the IEQ.</summary>
/// <param name="Type">BUF, DEV or SWR (unknown types are kept as their raw value).</param>
/// <param name="Code">The event code.</param>
/// <param name="Token">A DMB token (BUF) or a GID (DEV, SWR).</param>
/// <param name="Time">The device's timestamp.</param>
/// <param name="Info">The software event's 64-bit info (SWR).</param>
public sealed record IsmEvent(IsmEventType Type, uint Code, ulong Token, ulong Time, ulong Info)
{
    /// <summary>For DEV and SWR events: the GID the event is about or came from.</summary>
    public Gid Gid => new(Token);

    /// <summary>For BUF events: the DMB the event is about.</summary>
    public DmbToken Dmb => new(Token);

    /// <summary>True when the driver already answered this event (a test-link request).</summary>
    public bool Answered { get; init; }

    /// <summary>A log-friendly description.</summary>
    public override string ToString() =>
        $"{IsmEventCode.Describe(Type, Code)} tok=0x{Token:x16} info=0x{Info:x16}{(Answered ? " (answered)" : "")}";
}
