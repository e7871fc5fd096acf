namespace IsmFabric.Emulation;

/// <summary>
/// The <c>ret</c> values the emulated function answers. Linux knows only 0 and 0xFFFF (spec §2.4); the others are
/// this emulator's own, stable and documented in docs/emulated-cec.md, and a driver must treat them as opaque.
/// </summary>
public static class EmulatedReturnCode
{
    /// <summary>Success.</summary>
    public const ushort Ok = 0x0000;
    /// <summary>The command code is not one of spec §2.3.</summary>
    public const ushort UnknownCommand = 0x0001;
    /// <summary>The request length does not match the command.</summary>
    public const ushort BadRequestLength = 0x0002;
    /// <summary>An IOVA is outside the function's DMA window, unaligned, or crosses a 1 MiB boundary.</summary>
    public const ushort BadAddress = 0x0003;
    /// <summary>An SBA or IEQ is already registered.</summary>
    public const ushort AlreadyRegistered = 0x0004;
    /// <summary>Nothing is registered with that token (or SBA/IEQ), or it belongs to another function.</summary>
    public const ushort NotRegistered = 0x0005;
    /// <summary>The SBA index is outside 32..1919 or already in use on this function.</summary>
    public const ushort BadSbaIndex = 0x0006;
    /// <summary>The DMB length is 0 or more than 1 MiB.</summary>
    public const ushort BadDmbLength = 0x0007;
    /// <summary>The function already has 1888 DMBs, or the CEC ran out of tokens.</summary>
    public const ushort DmbLimit = 0x0008;
    /// <summary>The remote GID cannot be reached (other CHID, not in use, VLAN mismatch, no IEQ).</summary>
    public const ushort GidUnreachable = 0x0009;
    /// <summary>A VLAN id is invalid, already added, not a member, or the VLAN table is full.</summary>
    public const ushort VlanError = 0x000A;
    /// <summary>Not now: the CEC lock stayed taken (a stopped process), or UNREG_DMB found a move still in flight; nothing changed, ask again.</summary>
    public const ushort Busy = 0x000B;
    /// <summary>ISM_ERROR: what the driver sees when the device cannot answer.</summary>
    public const ushort IsmError = 0xFFFF;
}
