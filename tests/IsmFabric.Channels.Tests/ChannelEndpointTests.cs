using System.Buffers.Binary;
using IsmFabric.Channels;

namespace IsmFabric.Channels.Tests;

/// <summary>The ring protocol between two endpoints over memory.</summary>
public sealed class ChannelEndpointTests
{
    private static byte[] Message(int n, int size)
    {
        var m = new byte[size];
        new Random(n).NextBytes(m);
        if (size >= 4)
        {
            BinaryPrimitives.WriteInt32BigEndian(m, n);
        }

        return m;
    }

    /// <summary>Writes a control block as a peer does: the slot its update names, then the pointer.</summary>
    private static void Publish(byte[] dmb, ControlBlock block)
    {
        block.EncodeSlot(dmb.AsSpan(ChannelLayout.SlotOffset(ControlBlock.SlotOf(block.Update))));
        block.EncodePointer(dmb);
    }

    private static int CurrentSlotOffset(byte[] dmb) => ChannelLayout.SlotOffset((int)BinaryPrimitives.ReadUInt32BigEndian(dmb.AsSpan(4)));

    private static List<byte[]> Drain(ChannelEndpoint endpoint)
    {
        var got = new List<byte[]>();
        endpoint.Read(m => got.Add(m.ToArray()));
        return got;
    }

    [Fact]
    public void A_sender_whose_path_the_device_let_go_of_keeps_messages_until_its_retransmit_ring_is_full_and_never_reads_the_old_dmb()
    {
        var (pa, _) = MemoryPath.Pair();
        var a = new ChannelEndpoint(7, pa);
        var sent = 0;
        while (a.TryWrite(Message(sent, 1000)))
        {
            sent++; // until the peer's ring is full (nobody reads)
        }

        // The device let go of our DMB (the function failed): its memory must not be touched again.
        pa.Released = true;
        a.MarkPathFailed(new InvalidOperationException("the device let go of the DMB"));
        var kept = 0;
        while (a.TryWrite(Message(sent + kept, 1000)))
        {
            kept++;
        }

        Assert.True(kept > 0, "nothing was kept for the next path");
        Assert.Equal(sent + kept, a.Unacknowledged);
    }

    [Fact]
    public void Messages_arrive_in_order_and_intact_across_many_ring_wraps()
    {
        var (pa, pb) = MemoryPath.Pair();
        using var a = new ChannelEndpoint(7, pa);
        using var b = new ChannelEndpoint(7, pb);
        var random = new Random(1);
        var sent = new List<byte[]>();
        var received = new List<byte[]>();
        for (var round = 0; round < 2000; round++)
        {
            var m = Message(round, random.Next(0, 3000));
            while (!a.TryWrite(m))
            {
                a.Flush();
                received.AddRange(Drain(b));
            }

            sent.Add(m);
            if (random.Next(4) == 0)
            {
                a.Flush();
                received.AddRange(Drain(b));
            }
        }

        a.Flush();
        received.AddRange(Drain(b));
        Assert.Equal(sent.Count, received.Count);
        for (var i = 0; i < sent.Count; i++)
        {
            Assert.Equal(sent[i], received[i]);
        }

        Assert.True(a.BytesSent > 10 * 16384, "the test must wrap the ring many times");
    }

    [Fact]
    public void A_full_ring_refuses_writes_instead_of_overwriting_unconsumed_data()
    {
        var (pa, pb) = MemoryPath.Pair();
        using var a = new ChannelEndpoint(1, pa);
        using var b = new ChannelEndpoint(1, pb);
        var accepted = 0;
        while (a.TryWrite(Message(accepted, 1000)))
        {
            accepted++;
        }

        a.Flush();
        Assert.InRange(accepted, 10, 16); // 16320-byte ring, 1016-byte frames
        var got = Drain(b);
        Assert.Equal(accepted, got.Count);
        Assert.Equal(Enumerable.Range(0, accepted), got.Select(m => BinaryPrimitives.ReadInt32BigEndian(m)));
        Assert.True(a.TryWrite(Message(99, 1000)), "consumption must free the ring");
    }

    [Fact]
    public void The_writer_signals_only_when_the_reader_announced_it_waits()
    {
        var (pa, pb) = MemoryPath.Pair();
        using var a = new ChannelEndpoint(1, pa);
        using var b = new ChannelEndpoint(1, pb);
        for (var i = 0; i < 5; i++)
        {
            a.TryWrite(Message(i, 100));
            a.Flush();
        }

        Assert.Equal(0, pa.Signals);
        Drain(b);
        Assert.True(b.PrepareToWait(forData: true, forSpace: false));
        a.TryWrite(Message(5, 100));
        a.Flush();
        Assert.Equal(1, pa.Signals);
        Assert.Single(Drain(b));
        a.TryWrite(Message(6, 100));
        a.Flush();
        Assert.Equal(1, pa.Signals); // b got data, so its next publish withdrew the announcement
    }

    [Fact]
    public void Prepare_to_wait_says_no_when_data_arrived_before_the_announcement()
    {
        var (pa, pb) = MemoryPath.Pair();
        using var a = new ChannelEndpoint(1, pa);
        using var b = new ChannelEndpoint(1, pb);
        a.TryWrite(Message(0, 10));
        a.Flush();
        Assert.False(b.PrepareToWait(forData: true, forSpace: false));
    }

    [Fact]
    public void Failover_to_a_new_path_mid_stream_loses_and_repeats_nothing()
    {
        var (pa, pb) = MemoryPath.Pair();
        using var a = new ChannelEndpoint(3, pa);
        using var b = new ChannelEndpoint(3, pb);
        var received = new List<int>();
        var next = 0;

        // Some delivered and acknowledged, some delivered but not yet acknowledged, some not delivered at all.
        for (; next < 6; next++)
        {
            Assert.True(a.TryWrite(Message(next, 2000)));
        }

        a.Flush();
        received.AddRange(Drain(b).Select(m => BinaryPrimitives.ReadInt32BigEndian(m)));
        for (; next < 9; next++)
        {
            Assert.True(a.TryWrite(Message(next, 2000)));
        }

        // The old path dies here: frames 6..8 never reached b's consumer, and b's acknowledgements of 0..5 may not
        // have reached a either.
        var (na, nb) = MemoryPath.Pair(32768, 32768);
        a.ReplacePath(na, 1);
        b.ReplacePath(nb, 1);
        a.Flush();
        received.AddRange(Drain(b).Select(m => BinaryPrimitives.ReadInt32BigEndian(m)));
        for (; next < 40; next++)
        {
            while (!a.TryWrite(Message(next, 2000)))
            {
                a.Flush();
                received.AddRange(Drain(b).Select(m => BinaryPrimitives.ReadInt32BigEndian(m)));
            }
        }

        a.Flush();
        received.AddRange(Drain(b).Select(m => BinaryPrimitives.ReadInt32BigEndian(m)));
        Assert.Equal(Enumerable.Range(0, 40), received);
        Assert.True(a.FramesRetransmitted >= 3);
    }

    [Fact]
    public void A_producer_cursor_beyond_the_ring_is_a_protocol_error()
    {
        var (pa, pb) = MemoryPath.Pair();
        using var b = new ChannelEndpoint(1, pb);
        Publish(pa.RemoteBytes, new ControlBlock(1, ControlFlags.None, 1_000_000, 0, 1, 0, 0));
        var e = Assert.Throws<ChannelProtocolException>(() => Drain(b));
        Assert.Contains("beyond the ring", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Garbage_on_the_ring_is_a_protocol_error()
    {
        var (pa, pb) = MemoryPath.Pair();
        using var b = new ChannelEndpoint(1, pb);
        Random.Shared.NextBytes(pa.RemoteBytes.AsSpan(ChannelLayout.RingOffset, 64));
        pa.RemoteBytes[ChannelLayout.RingOffset + 6] = 0; // no frame marker
        Publish(pa.RemoteBytes, new ControlBlock(1, ControlFlags.None, 64, 0, 1, 0, 0));
        Assert.Throws<ChannelProtocolException>(() => Drain(b));
    }

    [Fact]
    public void A_sequence_gap_a_foreign_channel_id_and_a_wild_consumer_cursor_are_protocol_errors()
    {
        var (pa, pb) = MemoryPath.Pair();
        using var b = new ChannelEndpoint(1, pb);
        new FrameHeader(0, FrameHeader.Data, 5).Encode(pa.RemoteBytes.AsSpan(ChannelLayout.RingOffset));
        Publish(pa.RemoteBytes, new ControlBlock(1, ControlFlags.None, 16, 0, 1, 0, 0));
        Assert.Contains("lost", Assert.Throws<ChannelProtocolException>(() => Drain(b)).Message, StringComparison.Ordinal);

        var (qa, qb) = MemoryPath.Pair();
        using var c = new ChannelEndpoint(1, qb);
        Publish(qa.RemoteBytes, new ControlBlock(1, ControlFlags.None, 0, 0, 2, 0, 0));
        Assert.Contains("channel 2", Assert.Throws<ChannelProtocolException>(() => Drain(c)).Message, StringComparison.Ordinal);

        var (ra, rb) = MemoryPath.Pair();
        using var d = new ChannelEndpoint(1, rb);
        Publish(ra.RemoteBytes, new ControlBlock(1, ControlFlags.None, 0, 4096, 1, 0, 0));
        Assert.Contains("consumer cursor", Assert.Throws<ChannelProtocolException>(() => Drain(d)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_torn_control_block_is_ignored_until_it_is_whole()
    {
        var (pa, pb) = MemoryPath.Pair();
        using var a = new ChannelEndpoint(1, pa);
        using var b = new ChannelEndpoint(1, pb);
        a.TryWrite(Message(0, 10));
        a.Flush();
        var slot = CurrentSlotOffset(pa.RemoteBytes);
        var update = BinaryPrimitives.ReadUInt32BigEndian(pa.RemoteBytes.AsSpan(slot + 60));
        BinaryPrimitives.WriteUInt32BigEndian(pa.RemoteBytes.AsSpan(slot + 60), 12345); // the tail of a store still landing
        Assert.Empty(Drain(b));
        BinaryPrimitives.WriteUInt32BigEndian(pa.RemoteBytes.AsSpan(slot + 60), update);
        Assert.Single(Drain(b));
    }

    [Fact]
    public void Close_is_seen_by_the_peer_and_forbids_further_writes()
    {
        var (pa, pb) = MemoryPath.Pair();
        using var a = new ChannelEndpoint(1, pa);
        using var b = new ChannelEndpoint(1, pb);
        a.Close();
        Drain(b);
        Assert.True(b.PeerClosing);
        Assert.Throws<ObjectDisposedException>(() => a.TryWrite([1]));
        Assert.Throws<ArgumentException>(() => b.TryWrite(new byte[b.MaxMessage + 1]));
    }

    [Fact]
    public void Negotiation_messages_round_trip_through_an_event_code_and_info_word()
    {
        var m = new NegotiationMessage(NegotiationKind.Offer, 0xABCDEF, true, 0x1234, 20, DeclineReason.None, 0);
        var (code, info) = m.Encode();
        Assert.Equal(0xA1u, code & 0xFF);
        Assert.Equal(m, NegotiationMessage.Decode(code, info));
        Assert.Equal(new Ism.DmbToken(0x1234UL << 32), m.Token);
        var d = new NegotiationMessage(NegotiationKind.Decline, 5, false, 0, 0, DeclineReason.NoResources, 0);
        Assert.Equal(d, NegotiationMessage.Decode(d.Encode().Code, d.Encode().Info));
        Assert.Throws<ChannelProtocolException>(() => NegotiationMessage.Decode(code, info & ~(0xFFUL << 32)));
        Assert.Throws<ChannelProtocolException>(() => NegotiationMessage.Decode(code, (info & ~(0xFFUL << 40)) | (30UL << 40)));
        Assert.False(NegotiationMessage.IsNegotiation(0x83));
    }
}
