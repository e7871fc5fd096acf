using IsmFabric.Fabric.Devices;

namespace IsmFabric.Fabric.Channels;

/// <summary>
/// A received message, leased in place: <see cref="Span"/> reads it straight out of the local DMB, and disposing the
/// lease consumes it (its ring space goes back to the peer). Use it before receiving the next; it is not copied.
/// </summary>
public readonly struct ChannelMessage : IDisposable
{
    private readonly ChannelDataPlane? _plane;

    internal ChannelMessage(ChannelDataPlane plane, DmbHandle handle, int offset, int length, long generation)
    {
        _plane = plane;
        Handle = handle;
        Offset = offset;
        Length = length;
        Generation = generation;
    }

    /// <summary>The message's length in bytes.</summary>
    public int Length { get; }

    /// <summary>The message's bytes, valid until the lease is disposed.</summary>
    public ReadOnlySpan<byte> Span => _plane is null ? ReadOnlySpan<byte>.Empty : _plane.Bytes(Handle, Offset, Length, Generation);

    internal DmbHandle Handle { get; }

    internal int Offset { get; }

    internal long Generation { get; }

    /// <summary>Copies the message out (for code that keeps it).</summary>
    public byte[] ToArray() => Span.ToArray();

    /// <summary>Consumes the message.</summary>
    public void Dispose() => _plane?.Release(in this);
}
