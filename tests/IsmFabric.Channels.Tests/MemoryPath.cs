using IsmFabric.Channels;

namespace IsmFabric.Channels.Tests;

/// <summary>A path over two plain byte arrays, counting stores and signals; optionally hostile.</summary>
public sealed class MemoryPath(byte[] local, byte[] remote) : IChannelPath
{
    public Span<byte> Local => Released ? throw new InvalidOperationException("the local DMB was released") : local;

    /// <summary>True once the device let go of the local DMB: reading it is a read after free.</summary>
    public bool Released { get; set; }

    public byte[] RemoteBytes => remote;

    public int RemoteSize => remote.Length;

    public int Stores { get; private set; }

    public int Signals { get; private set; }

    public void WriteRemote(int offset, ReadOnlySpan<byte> data, bool signal)
    {
        if (offset < 0 || offset + data.Length > remote.Length)
        {
            Assert.Fail($"store at {offset}+{data.Length} outside the {remote.Length}-byte DMB");
        }

        data.CopyTo(remote.AsSpan(offset));
        Interlocked.MemoryBarrier(); // stores land in order, as moves through a function do
        Stores++;
        if (signal)
        {
            Signals++;
        }
    }

    public static (MemoryPath A, MemoryPath B) Pair(int sizeA = 16384, int sizeB = 16384)
    {
        var a = new byte[sizeA];
        var b = new byte[sizeB];
        return (new MemoryPath(a, b), new MemoryPath(b, a));
    }
}
