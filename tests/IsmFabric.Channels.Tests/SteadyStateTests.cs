using System.Buffers.Binary;
using IsmFabric.Channels;

namespace IsmFabric.Channels.Tests;

/// <summary>Messages of random sizes across many ring wraps (padding frames), and no allocation per message.</summary>
public sealed class SteadyStateTests
{
    [Fact]
    public void Messages_of_random_sizes_arrive_intact_across_padding_at_the_rings_end()
    {
        var (pa, pb) = MemoryPath.Pair(16384, 20480);
        using var a = new ChannelEndpoint(9, pa);
        using var b = new ChannelEndpoint(9, pb);
        var random = new Random(3);
        var sent = new Queue<byte[]>();
        var received = 0;
        for (var i = 0; i < 5000; i++)
        {
            var m = new byte[random.Next(0, a.MaxMessage + 1)];
            random.NextBytes(m);
            while (!a.TryWrite(m))
            {
                a.Flush();
                Drain(b, sent, ref received);
            }

            sent.Enqueue(m);
            if (random.Next(4) == 0)
            {
                a.Flush();
                Drain(b, sent, ref received);
            }
        }

        a.Flush();
        Drain(b, sent, ref received);
        Assert.Empty(sent);
        Assert.Equal(5000, received);
    }

    private static void Drain(ChannelEndpoint b, Queue<byte[]> sent, ref int received)
    {
        while (b.TryPeek(out var offset, out var length))
        {
            var expected = sent.Dequeue();
            Assert.True(expected.AsSpan().SequenceEqual(b.Path.Local.Slice(offset, length)), $"message {received} differs");
            b.Release();
            received++;
        }
    }

    [Fact]
    public void Sending_and_receiving_allocates_nothing_per_message()
    {
        var (pa, pb) = MemoryPath.Pair(65536, 65536);
        using var a = new ChannelEndpoint(3, pa);
        using var b = new ChannelEndpoint(3, pb);
        var message = new byte[1000];
        long checksum = 0;
        void Round(int n)
        {
            for (var i = 0; i < n; i++)
            {
                BinaryPrimitives.WriteInt32BigEndian(message, i);
                while (!a.TryWrite(message))
                {
                    a.Flush();
                    while (b.TryPeek(out var offset, out _))
                    {
                        checksum += BinaryPrimitives.ReadInt32BigEndian(b.Path.Local[offset..]);
                        b.Release();
                    }

                    b.PrepareToWait(forData: true, forSpace: false);
                }
            }

            a.Flush();
            while (b.TryPeek(out var offset, out _))
            {
                checksum += BinaryPrimitives.ReadInt32BigEndian(b.Path.Local[offset..]);
                b.Release();
            }
        }

        Round(2000); // warm-up: the retransmit ring's frame table reaches its size
        var before = GC.GetAllocatedBytesForCurrentThread();
        Round(20_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < 1024, $"{allocated} bytes allocated for 20000 messages");
        Assert.True(checksum > 0);
    }

    [Fact]
    public void After_a_failover_frames_that_did_not_fit_the_new_ring_go_out_with_the_next_writes()
    {
        var (pa, pb) = MemoryPath.Pair(16384, 16384);
        using var a = new ChannelEndpoint(5, pa);
        using var b = new ChannelEndpoint(5, pb);
        var sent = 0;
        var message = new byte[3000];
        while (a.TryWrite(message))
        {
            sent++; // fill the ring; b reads nothing yet, so nothing is acknowledged
        }

        a.Flush();

        // The path fails; the new rings are empty, and more is unacknowledged than one ring holds at once.
        var (na, nb) = MemoryPath.Pair(16384, 16384);
        a.MarkPathFailed(new IOException("function failed"));
        Assert.True(a.TryWrite(message), "a message is accepted into the retransmit ring while the path is down");
        sent++;
        a.ReplacePath(na, 1);
        b.ReplacePath(nb, 1);
        Assert.True(a.PendingPlacement > 0, "the test needs frames left over after the new ring filled");

        // A writer as the data plane drives it: flush only after a write that was accepted. The left-over frames
        // must go out ahead of new ones without anything else placing them.
        var before = sent;
        var received = 0;
        for (var round = 0; round < 400; round++)
        {
            received += b.Read(_ => { });
            if (a.TryWrite(message))
            {
                sent++;
                a.Flush();
            }
        }

        received += b.Read(_ => { });
        Assert.True(sent - before >= 20, $"only {sent - before} messages were accepted after the failover");
        Assert.Equal(sent, received);
    }
}
