using Xunit;

namespace IsmFabric.Vfio.Tests;

public sealed class IovaAllocatorTests
{
    [Fact]
    public void Blocks_are_naturally_aligned_and_do_not_overlap()
    {
        var iovas = new IovaAllocator([new IovaRange(0x1_0000_0000, 0x1_ffff_ffff)]);

        Assert.True(iovas.TryAllocate(0x1000, 0x1000, out var a));
        Assert.True(iovas.TryAllocate(0x4000, 0x4000, out var b));
        Assert.True(iovas.TryAllocate(0x3000, 0x4000, out var c));
        Assert.True(iovas.TryAllocate(0x10_0000, 0x10_0000, out var d));

        Assert.Equal(0x1_0000_0000UL, a);
        Assert.Equal(0x1_0000_4000UL, b);
        Assert.Equal(0x1_0000_8000UL, c);
        Assert.Equal(0x1_0010_0000UL, d);
    }

    [Fact]
    public void A_freed_block_is_reused()
    {
        var iovas = new IovaAllocator([new IovaRange(0x10000, 0x1ffff)]);
        Assert.True(iovas.TryAllocate(0x1000, 0x1000, out var a));
        Assert.True(iovas.TryAllocate(0x1000, 0x1000, out _));

        iovas.Free(a);

        Assert.True(iovas.TryAllocate(0x1000, 0x1000, out var again));
        Assert.Equal(a, again);
    }

    [Fact]
    public void Iova_zero_is_never_handed_out()
    {
        var iovas = new IovaAllocator([new IovaRange(0, 0xffff)]);

        Assert.True(iovas.TryAllocate(0x1000, 0x1000, out var first));

        Assert.Equal(0x1000UL, first);
    }

    [Fact]
    public void Allocation_moves_to_the_next_range_when_one_is_full()
    {
        var iovas = new IovaAllocator([new IovaRange(0x2000, 0x2fff), new IovaRange(0x10_0000, 0x1f_ffff)]);

        Assert.True(iovas.TryAllocate(0x1000, 0x1000, out var a));
        Assert.True(iovas.TryAllocate(0x1000, 0x1000, out var b));

        Assert.Equal(0x2000UL, a);
        Assert.Equal(0x10_0000UL, b);
    }

    [Fact]
    public void A_block_that_fits_nowhere_is_refused()
    {
        var iovas = new IovaAllocator([new IovaRange(0x1000, 0x4fff)]);

        Assert.False(iovas.TryAllocate(0x4000, 0x4000, out _));
        Assert.True(iovas.TryAllocate(0x2000, 0x2000, out var fits));
        Assert.Equal(0x2000UL, fits);
    }

    [Fact]
    public void The_top_of_the_64_bit_space_is_usable_without_overflow()
    {
        var iovas = new IovaAllocator([new IovaRange(ulong.MaxValue - 0x1fff, ulong.MaxValue)]);

        Assert.True(iovas.TryAllocate(0x1000, 0x1000, out var a));
        Assert.True(iovas.TryAllocate(0x1000, 0x1000, out var b));
        Assert.False(iovas.TryAllocate(0x1000, 0x1000, out _));

        Assert.Equal(ulong.MaxValue - 0x1fff, a);
        Assert.Equal(ulong.MaxValue - 0xfff, b);
    }

    [Fact]
    public void The_zpci_window_is_intersected_with_the_iommu_ranges()
    {
        var usable = IovaAllocator.Usable(
            new IovaRange(0x1_0000_0000, 0x1_ffff_ffff),
            [new IovaRange(0, 0xfee0_0000 - 1), new IovaRange(0xfef0_0000, 0x1_7fff_ffff), new IovaRange(0x3_0000_0000, 0x3_ffff_ffff)]);

        Assert.Equal([new IovaRange(0x1_0000_0000, 0x1_7fff_ffff)], usable);
    }

    [Fact]
    public void Without_a_zpci_window_the_iommu_ranges_are_used_as_they_are()
    {
        IovaRange[] ranges = [new(0x1000, 0xffff)];

        Assert.Equal(ranges, IovaAllocator.Usable(null, ranges));
    }
}
