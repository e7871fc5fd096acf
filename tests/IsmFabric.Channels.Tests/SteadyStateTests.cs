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
}
