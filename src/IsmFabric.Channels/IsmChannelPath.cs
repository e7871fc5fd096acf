using IsmFabric.Ism;

namespace IsmFabric.Channels;

/// <summary>A channel path over ISM: our DMB (registered for the peer's GID) and the peer's DMB token, written through one function.</summary>
public sealed class IsmChannelPath : IChannelPath
{
    private readonly IsmFunction _function;

    /// <summary>Creates the path: <paramref name="local"/> is ours, <paramref name="remote"/> the peer's DMB of <paramref name="remoteSize"/> bytes.</summary>
    public IsmChannelPath(IsmFunction function, Dmb local, DmbToken remote, int remoteSize)
    {
        _function = function ?? throw new ArgumentNullException(nameof(function));
        LocalDmb = local ?? throw new ArgumentNullException(nameof(local));
        Remote = remote;
        RemoteSize = remoteSize;
    }

    /// <summary>Our DMB.</summary>
    public Dmb LocalDmb { get; }

    /// <summary>The peer's DMB.</summary>
    public DmbToken Remote { get; }

    /// <summary>The function the moves go through.</summary>
    public IsmFunction Function => _function;

    /// <inheritdoc />
    public Span<byte> Local => LocalDmb.Memory;

    /// <inheritdoc />
    public int RemoteSize { get; }

    /// <inheritdoc />
    public void WriteRemote(int offset, ReadOnlySpan<byte> data, bool signal) => _function.Move(Remote, offset, data, signal);
}
