using IsmFabric.Vfio;

namespace IsmFabric.Ism;

/// <summary>
/// A DMB this function registered: local memory that exactly one remote GID may write into. Reading it is a read
/// of local memory; no command is involved.
/// </summary>
public sealed class Dmb
{
    internal Dmb(DmbToken token, int sbaIndex, int length, Gid remoteGid, ushort? vlan, DmaBuffer buffer)
    {
        Token = token;
        SbaIndex = sbaIndex;
        Length = length;
        RemoteGid = remoteGid;
        Vlan = vlan;
        Buffer = buffer;
    }

    /// <summary>The token peers address it by.</summary>
    public DmbToken Token { get; }

    /// <summary>Its slot in the SBA (32..1919).</summary>
    public int SbaIndex { get; }

    /// <summary>Its length in bytes, as registered.</summary>
    public int Length { get; }

    /// <summary>The only GID allowed to write into it.</summary>
    public Gid RemoteGid { get; }

    /// <summary>The VLAN it is tagged with, if any.</summary>
    public ushort? Vlan { get; }

    /// <summary>True until it is unregistered.</summary>
    public bool IsRegistered { get; internal set; } = true;

    internal DmaBuffer Buffer { get; }

    /// <summary>The DMB's bytes in local memory (peers write them; read them after a signal).</summary>
    public Span<byte> Memory => IsRegistered
        ? Buffer.Span[..Length]
        : throw new InvalidOperationException($"DMB {Token} is no longer registered");

    /// <summary>The address of the first byte in this process (for atomic access to cursors placed in the DMB).</summary>
    public nint Address => Buffer.Address;

    /// <inheritdoc />
    public override string ToString() => $"DMB {Token} slot {SbaIndex} {Length} bytes for {RemoteGid}";
}
