using IsmFabric.Vfio;

namespace IsmFabric.Ism;

/// <summary>A move into a remote DMB was refused (unknown token, wrong sender GID, beyond the DMB, device in error).</summary>
public sealed class IsmMoveException : IsmException
{
    /// <summary>Creates the exception for a move into <paramref name="token"/> at <paramref name="offset"/>.</summary>
    public IsmMoveException(string device, DmbToken token, int offset, int length, VfioException inner)
        : base($"{device}: move of {length} bytes into DMB {token} at offset {offset} failed: {inner.Message}", inner)
    {
        Token = token;
        Errno = inner.Errno;
    }

    /// <summary>The DMB the move was aimed at.</summary>
    public DmbToken Token { get; }

    /// <summary>The errno of the failed store (EIO for a refused move, EINVAL for a malformed store).</summary>
    public int Errno { get; }
}
