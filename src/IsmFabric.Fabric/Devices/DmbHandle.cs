using IsmFabric.Ism;

namespace IsmFabric.Fabric.Devices;

/// <summary>
/// A DMB a device registered for an owner, as the owner's data plane may use it. Every read of its memory and every
/// move through its function happens between <see cref="TryEnter"/> and <see cref="Exit"/>; the device closes the
/// gate and waits for users to leave before it unregisters and unmaps (a released DMB, a device that stops or
/// restarts). The mutable <see cref="Dmb"/> itself never leaves the device.
/// </summary>
internal sealed class DmbHandle
{
    private readonly Dmb _dmb;
    private readonly IsmFunction _function;
    private IChannelWaker? _waker;

    internal DmbHandle(Dmb dmb, IsmFunction function, uint fid)
    {
        _dmb = dmb;
        _function = function;
        Fid = fid;
        Token = dmb.Token;
        Length = dmb.Length;
        RemoteGid = dmb.RemoteGid;
        SbaIndex = dmb.SbaIndex;
    }

    /// <summary>The DMB's token.</summary>
    public DmbToken Token { get; }

    /// <summary>Its length in bytes.</summary>
    public int Length { get; }

    /// <summary>The only GID that may write it.</summary>
    public Gid RemoteGid { get; }

    /// <summary>The function it is registered on.</summary>
    public uint Fid { get; }

    /// <summary>Its SBA slot.</summary>
    public int SbaIndex { get; }

    /// <summary>The gate (the device closes it).</summary>
    internal DeviceGate Gate { get; } = new();

    /// <summary>The DMB's memory; only between <see cref="TryEnter"/> and <see cref="Exit"/>.</summary>
    public Span<byte> Memory => _dmb.Memory;

    /// <summary>Enters the gate; false when the device let go of the DMB.</summary>
    public bool TryEnter() => Gate.TryEnter();

    /// <summary>Leaves the gate.</summary>
    public void Exit() => Gate.Exit();

    /// <summary>A move into the remote DMB <paramref name="target"/> through this DMB's function; only inside the gate.</summary>
    public void Move(DmbToken target, int offset, ReadOnlySpan<byte> data, bool signal) => _function.Move(target, offset, data, signal);

    /// <summary>Who is woken when the peer signals this DMB.</summary>
    public void SetWaker(IChannelWaker? waker) => Volatile.Write(ref _waker, waker);

    /// <summary>Wakes the DMB's data plane (interrupt thread).</summary>
    internal void Wake() => Volatile.Read(ref _waker)?.Wake();

    /// <summary>The registered DMB (the device's own use: unregistering).</summary>
    internal Dmb Dmb => _dmb;

    /// <inheritdoc />
    public override string ToString() => $"DMB {Token} on function 0x{Fid:x} for {RemoteGid}";
}
