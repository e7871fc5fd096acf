namespace IsmFabric.Channels;

/// <summary>The in-band negotiation messages, carried as SIGNAL_IEQ software events (low byte of the event code).</summary>
public enum NegotiationKind : byte
{
    /// <summary>The initiator offers a channel: its DMB token and size.</summary>
    Offer = 0xA1,

    /// <summary>The responder accepts: its DMB token and size.</summary>
    Accept = 0xA2,

    /// <summary>The responder declines, with a reason.</summary>
    Decline = 0xA3,

    /// <summary>Either side closes the channel (teardown), with a reason.</summary>
    Close = 0xA4,

    /// <summary>Failover: the initiator of the move offers a new path (its new DMB) for an existing channel.</summary>
    Resume = 0xA5,

    /// <summary>Failover: the other side accepts the new path with its new DMB.</summary>
    ResumeAccept = 0xA6,
}
