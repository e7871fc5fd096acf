namespace IsmFabric.Ism;

/// <summary>The token REG_DMB returns for a DMB: bits 32..47 only, ORed into the BAR 0 move address (spec §3.2).</summary>
/// <param name="Value">The raw token.</param>
public readonly record struct DmbToken(ulong Value)
{
    /// <summary>True when the token has the shape a move address can carry (bits 0..31 clear, below bit 48, non-zero).</summary>
    public bool IsWellFormed => Value != 0 && (Value & 0xFFFF_0000_FFFF_FFFFUL) == 0;

    /// <summary>"0x" and 16 hex digits.</summary>
    public override string ToString() => $"0x{Value:x16}";
}
