using IsmFabric.Channels;

namespace IsmFabric.Channels.Tests;

/// <summary>
/// A writer hammers the control area with blocks whose fields all follow from their update counter, landing each
/// store's bytes in a random order (a store has no defined byte order), while a reader decodes live memory: a block
/// the reader accepts must be one the writer wrote, whole.
/// </summary>
public sealed class TornControlBlockTests
{
    private const ulong Channel = 0x1234_5678_9abc;

    private static ControlBlock BlockFor(uint update) =>
        new(update, (ControlFlags)(update % 3), update * 7UL, update * 11UL, Channel, update * 13UL, update % 5);

    [Fact]
    public void A_reader_never_accepts_a_torn_control_block()
    {
        var dmb = new byte[ChannelLayout.MinDmbSize];
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        var published = 0L;
        var writer = new Thread(() =>
        {
            var random = new Random(7);
            var slot = new byte[ChannelLayout.ControlBlockSize];
            var pointer = new byte[ChannelLayout.PointerSize];
            for (uint update = 1; !stop.IsCancellationRequested; update++)
            {
                var block = BlockFor(update);
                block.EncodeSlot(slot);
                block.EncodePointer(pointer);
                Store(dmb, ChannelLayout.SlotOffset(ControlBlock.SlotOf(update)), slot, random);
                Store(dmb, ChannelLayout.PointerOffset, pointer, random);
                Interlocked.Increment(ref published);
            }
        }) { IsBackground = true };

        writer.Start();
        long accepted = 0, busy = 0;
        uint last = 0;
        while (!stop.IsCancellationRequested)
        {
            if (!ControlBlock.TryRead(dmb, out var block))
            {
                busy++;
                continue;
            }

            Assert.Equal(BlockFor(block.Update), block);
            Assert.True(block.Update >= last, $"update went back from {last} to {block.Update}");
            last = block.Update;
            accepted++;
        }

        writer.Join();
        Assert.True(accepted > 1_000, $"only {accepted} reads accepted ({busy} found a write landing, {published} published)");
    }

    /// <summary>One store: its bytes land one at a time in a random order, then it is complete (ordered before the next).</summary>
    private static void Store(byte[] dmb, int offset, byte[] data, Random random)
    {
        var order = new int[data.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }

        random.Shuffle(order);
        foreach (var i in order)
        {
            Volatile.Write(ref dmb[offset + i], data[i]);
            Thread.SpinWait(random.Next(0, 30)); // a slow store: readers overlap it often
        }

        Interlocked.MemoryBarrier();
    }
}
