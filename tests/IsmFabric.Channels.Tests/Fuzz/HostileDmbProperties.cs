using FsCheck.Xunit;
using IsmFabric.Channels;

namespace IsmFabric.Channels.Tests.Fuzz;

/// <summary>
/// Whatever a peer (or a stray store) writes into our DMB, the channel endpoint reading it either carries on or
/// throws <see cref="ChannelProtocolException"/>: never another exception, never a store outside the peer's DMB
/// (<see cref="MemoryPath"/> fails those), and never a message that lies outside the ring.
/// </summary>
public sealed class HostileDmbProperties
{
    [Property(MaxTest = 300, Arbitrary = [typeof(HostileDmbArbitrary)])]
    public void A_dmb_of_arbitrary_bytes_yields_a_protocol_error_or_messages_inside_the_ring(DmbMutation[] mutations, bool fromZero)
    {
        // From a DMB nobody wrote (zeroes), or one full of noise, then the mutations on top.
        var (pa, pb) = MemoryPath.Pair(16384, 16384);
        if (!fromZero)
        {
            new Random(mutations.Length).NextBytes(pa.RemoteBytes);
        }

        using var b = new ChannelEndpoint(HostileDmbArbitrary.ChannelId, pb);
        var peer = new HostilePeer(pa.RemoteBytes, nextSequence: 0);
        foreach (var m in mutations)
        {
            m.Apply(peer);
        }

        ReadWriteAndWait(b, pb);
    }

    [Property(MaxTest = 300, Arbitrary = [typeof(HostileDmbArbitrary)])]
    public void A_valid_stream_tampered_with_yields_a_protocol_error_or_messages_inside_the_ring(ChannelTraffic traffic, DmbMutation[] mutations)
    {
        var (pa, pb) = MemoryPath.Pair(16384, traffic.ReaderDmbSize);
        using var a = new ChannelEndpoint(HostileDmbArbitrary.ChannelId, pa);
        using var b = new ChannelEndpoint(HostileDmbArbitrary.ChannelId, pb);
        Send(a, traffic.Read);
        b.Read(_ => { });
        Send(b, traffic.Replies);
        a.Read(_ => { });
        Send(a, traffic.Unread);

        var peer = new HostilePeer(pa.RemoteBytes, a.NextSendSequence);
        foreach (var m in mutations)
        {
            m.Apply(peer);
        }

        ReadWriteAndWait(b, pb);
    }

    [Fact]
    public void A_frame_longer_than_the_channel_carries_is_a_protocol_error_even_when_it_fits_the_readers_bigger_ring()
    {
        // B's ring (20 KiB DMB) holds messages up to 10096 bytes, the channel (A's DMB is 16 KiB) only 8048: a reader that
        // copies messages into MaxMessage-sized buffers (the node agent's echo and sink) must never get a longer one.
        var (pa, pb) = MemoryPath.Pair(16384, 20480);
        using var b = new ChannelEndpoint(HostileDmbArbitrary.ChannelId, pb);
        var peer = new HostilePeer(pa.RemoteBytes, nextSequence: 0);
        new AppendFrame(8746, FrameHeader.Data, 0, 0).Apply(peer);
        new PublishCursors(ControlFlags.None, 0, 0, 0, false, false).Apply(peer);

        Assert.Contains("more than this channel", Assert.Throws<ChannelProtocolException>(() => b.TryPeek(out _, out _)).Message, StringComparison.Ordinal);
    }

    private static void Send(ChannelEndpoint endpoint, int[] sizes)
    {
        foreach (var size in sizes)
        {
            endpoint.TryWrite(new byte[size]);
        }

        endpoint.Flush();
    }

    /// <summary>What a channel's owner does with its endpoint; a protocol error ends it, as it closes the channel.</summary>
    private static void ReadWriteAndWait(ChannelEndpoint b, MemoryPath path)
    {
        try
        {
            for (var i = 0; i < 64 && b.TryPeek(out var offset, out var length); i++)
            {
                var ringEnd = path.Local.Length;
                Assert.True(
                    offset >= ChannelLayout.RingOffset + ChannelLayout.FrameHeaderSize && length >= 0 && length <= b.MaxMessage
                    && (long)offset + length <= ringEnd,
                    $"message handed out at {offset}, {length} bytes: outside the ring {ChannelLayout.RingOffset}..{ringEnd} or longer than {b.MaxMessage}");
                _ = path.Local.Slice(offset, length).ToArray();
                b.Release();
            }

            b.PrepareToWait(forData: true, forSpace: false);
            b.TryWrite(new byte[100]);
            b.Flush();
            b.PrepareToWait(forData: true, forSpace: true);
            b.Read(m => Assert.InRange(m.Length, 0, b.MaxMessage));
        }
        catch (ChannelProtocolException)
        {
            // The documented outcome: the owner closes the channel with reason 7.
        }
    }
}
