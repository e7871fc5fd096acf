namespace IsmFabric.Channels;

/// <summary>
/// One negotiation message, encoded into the 32-bit event code and 64-bit info of a SIGNAL_IEQ software event so
/// that two LPARs with no network between them connect knowing only each other's GID (docs/channel-protocol.md).
/// </summary>
/// <param name="Kind">Offer, accept, decline, close, resume, resume-accept.</param>
/// <param name="ChannelId">24-bit channel id, chosen by the initiator.</param>
/// <param name="FromInitiator">True when the sender is the channel's initiator (channel ids are per initiator).</param>
/// <param name="TokenIndex">Bits 32..47 of the sender's DMB token (a token has no other bits).</param>
/// <param name="SizeLog2">log2 of the sender's DMB size (14..20).</param>
/// <param name="Reason">Decline or close reason.</param>
/// <param name="Epoch">Path generation (resume messages).</param>
public readonly record struct NegotiationMessage(
    NegotiationKind Kind, uint ChannelId, bool FromInitiator, ushort TokenIndex, byte SizeLog2, DeclineReason Reason, ushort Epoch)
{
    /// <summary>The largest channel id.</summary>
    public const uint MaxChannelId = 0xFF_FFFF;

    /// <summary>The sender's DMB token.</summary>
    public Ism.DmbToken Token => new((ulong)TokenIndex << 32);

    /// <summary>The sender's DMB size in bytes.</summary>
    public int DmbSize => 1 << SizeLog2;

    /// <summary>Encodes into an event code and info word.</summary>
    public (uint Code, ulong Info) Encode()
    {
        if (ChannelId > MaxChannelId)
        {
            throw new ArgumentOutOfRangeException(nameof(ChannelId), ChannelId, "channel ids are 24 bits");
        }

        var code = (uint)Kind | (ChannelId << 8);
        var info = ((ulong)TokenIndex << 48) | ((ulong)SizeLog2 << 40) | ((ulong)ChannelLayout.Version << 32)
            | (FromInitiator ? 1UL << 31 : 0) | ((ulong)(Epoch & 0x7FFFu) << 16) | (ushort)Reason;
        return (code, info);
    }

    /// <summary>True when the event code is one of ours.</summary>
    public static bool IsNegotiation(uint code) => (code & 0xFF) is >= (uint)NegotiationKind.Offer and <= (uint)NegotiationKind.ResumeAccept;

    /// <summary>Decodes an event; a version mismatch or a malformed size is a protocol error the caller declines.</summary>
    public static NegotiationMessage Decode(uint code, ulong info)
    {
        if (!IsNegotiation(code))
        {
            throw new ChannelProtocolException($"event code 0x{code:x8} is not a channel negotiation message");
        }

        var version = (byte)(info >> 32);
        if (version != ChannelLayout.Version)
        {
            throw new ChannelProtocolException($"negotiation of wire format version {version}, this side speaks {ChannelLayout.Version}");
        }

        var message = new NegotiationMessage(
            (NegotiationKind)(code & 0xFF), code >> 8, (info & (1UL << 31)) != 0, (ushort)(info >> 48), (byte)(info >> 40),
            (DeclineReason)(ushort)info, (ushort)(info >> 16 & 0x7FFF));
        var carriesDmb = message.Kind is NegotiationKind.Offer or NegotiationKind.Accept or NegotiationKind.Resume or NegotiationKind.ResumeAccept;
        if (carriesDmb && (message.SizeLog2 is < 14 or > 20 || message.TokenIndex == 0))
        {
            throw new ChannelProtocolException($"{message.Kind} for channel {message.ChannelId} carries DMB size 2^{message.SizeLog2} and token index {message.TokenIndex}");
        }

        return message;
    }
}
