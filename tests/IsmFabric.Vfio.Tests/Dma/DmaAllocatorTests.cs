using Xunit;

namespace IsmFabric.Vfio.Tests;

public sealed class DmaAllocatorTests : IDisposable
{
    private const int Page = 4096;
    private readonly List<string> _log = [];
    private readonly RecordingDmaMapper _mapper;
    private readonly DmaAllocator _allocator;

    public DmaAllocatorTests()
    {
        _mapper = new RecordingDmaMapper(_log, new IovaRange(0x1_0000_0000, 0x1_ffff_ffff));
        _allocator = new DmaAllocator(_mapper, new RecordingHostMemory(_log), new IovaAllocator(_mapper.IovaRanges), Environment.SystemPageSize);
    }

    public void Dispose()
    {
        _allocator.ReleaseAll();
        _mapper.Dispose();
    }

    [Theory]
    [InlineData(1, Page, Page)]
    [InlineData(Page, Page, Page)]
    [InlineData(3 * Page, 3 * Page, 4 * Page)]
    [InlineData(5 * Page, 5 * Page, 8 * Page)]
    [InlineData(1 << 20, 1 << 20, 1 << 20)]
    public void A_buffer_is_whole_pages_and_aligned_to_the_next_power_of_two_in_memory_and_iova(int requested, int length, long alignment)
    {
        using var buffer = _allocator.Allocate(requested);

        Assert.Equal(length, buffer.Length);
        Assert.Equal(0, buffer.Address % (nint)alignment);
        Assert.Equal(0UL, buffer.Iova % (ulong)alignment);
        Assert.Equal((buffer.Address, (ulong)length), _mapper.Mappings[buffer.Iova]);
    }

    [Fact]
    public void A_megabyte_buffer_never_crosses_a_megabyte_boundary_even_after_smaller_ones()
    {
        using var small = _allocator.Allocate(Page);
        using var dmb = _allocator.Allocate(1 << 20);

        Assert.Equal(dmb.Iova >> 20, (dmb.Iova + (ulong)dmb.Length - 1) >> 20);
        Assert.Equal((ulong)dmb.Address >> 20, ((ulong)dmb.Address + (ulong)dmb.Length - 1) >> 20);
    }

    [Fact]
    public void The_memory_is_zeroed_and_writable()
    {
        using var buffer = _allocator.Allocate(2 * Page);

        Assert.True(buffer.Span.IndexOfAnyExcept((byte)0) < 0);
        buffer.Span.Fill(0xA5);
        Assert.Equal(0xA5, buffer.Span[^1]);
    }

    [Fact]
    public void Iovas_come_from_inside_the_usable_ranges_and_do_not_overlap()
    {
        var buffers = Enumerable.Range(1, 8).Select(i => _allocator.Allocate(i * Page)).ToList();
        try
        {
            var spans = buffers.Select(b => (Start: b.Iova, Last: b.Iova + (ulong)b.Length - 1)).OrderBy(s => s.Start).ToList();
            Assert.All(spans, s => Assert.InRange(s.Start, 0x1_0000_0000UL, 0x1_ffff_ffffUL));
            Assert.All(spans.Zip(spans.Skip(1)), pair => Assert.True(pair.First.Last < pair.Second.Start));
        }
        finally
        {
            buffers.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public void Dispose_unmaps_from_the_iommu_before_it_frees_the_memory()
    {
        var buffer = _allocator.Allocate(Page);
        var iova = buffer.Iova;
        _log.Clear();

        buffer.Dispose();

        Assert.Equal([$"unmap 0x{iova:x} 4096", "munmap 4096"], _log);
        Assert.True(buffer.IsDisposed);
        Assert.Throws<ObjectDisposedException>(() => buffer.Span.Length);
    }

    [Fact]
    public void A_second_dispose_does_nothing()
    {
        var buffer = _allocator.Allocate(Page);
        buffer.Dispose();
        _log.Clear();

        buffer.Dispose();

        Assert.Empty(_log);
        Assert.Equal(0, _allocator.LiveCount);
    }

    [Fact]
    public void When_the_iommu_refuses_to_unmap_the_memory_is_freed_but_the_iova_is_never_reused()
    {
        var buffer = _allocator.Allocate(Page);
        var iova = buffer.Iova;
        _mapper.FailNextUnmapWith = Errno.EBUSY;

        var e = Assert.Throws<VfioBusyException>(buffer.Dispose);

        Assert.Contains("munmap 4096", _log);
        using var next = _allocator.Allocate(Page);
        Assert.NotEqual(iova, next.Iova);
        Assert.Equal(Errno.EBUSY, e.Errno);
    }

    [Fact]
    public void A_failed_map_frees_the_memory_and_the_iova()
    {
        var failing = new ThrowingMapper(_log, _mapper.IovaRanges);
        var allocator = new DmaAllocator(failing, new RecordingHostMemory(_log), new IovaAllocator(failing.IovaRanges), Environment.SystemPageSize);

        Assert.Throws<VfioResourceExhaustedException>(() => allocator.Allocate(Page));

        Assert.Equal(["mmap 4096 align 0x1000", "munmap 4096"], _log);
        Assert.Equal(0, allocator.LiveCount);
    }

    [Fact]
    public void Running_out_of_iova_space_is_a_resource_error_naming_the_ranges()
    {
        var mapper = new RecordingDmaMapper(_log, new IovaRange(0x1000, 0x2fff));
        var allocator = new DmaAllocator(mapper, new RecordingHostMemory(_log), new IovaAllocator(mapper.IovaRanges), Environment.SystemPageSize);

        var e = Assert.Throws<VfioResourceExhaustedException>(() => allocator.Allocate(4 * Page));

        Assert.Contains("no free 16384-byte block aligned to 0x4000 in [0x1000, 0x2fff]", e.Message, StringComparison.Ordinal);
        Assert.Empty(_log);
    }

    [Fact]
    public void Release_all_disposes_every_live_buffer()
    {
        var a = _allocator.Allocate(Page);
        var b = _allocator.Allocate(2 * Page);

        _allocator.ReleaseAll();

        Assert.True(a.IsDisposed && b.IsDisposed);
        Assert.Equal(0, _allocator.LiveCount);
        Assert.Empty(_mapper.Mappings);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void A_non_positive_length_is_rejected(int length)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => _allocator.Allocate(length));
    }

    private sealed class ThrowingMapper(List<string> log, IReadOnlyList<IovaRange> ranges) : IDmaMapper
    {
        public IReadOnlyList<IovaRange> IovaRanges => ranges;

        public void Map(nint address, ulong iova, ulong length) => throw VfioErrors.FromErrno(Errno.ENOMEM, "map");

        public void Unmap(ulong iova, ulong length) => log.Add("unexpected unmap");

        public void Dispose()
        {
        }
    }
}
