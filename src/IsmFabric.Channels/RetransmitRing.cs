namespace IsmFabric.Channels;

/// <summary>
/// The frames a channel sent and the peer has not acknowledged yet, in one local byte ring (no array per frame):
/// each frame is stored contiguously once, moved into the peer's ring from here, and moved again from here after a
/// path change. Frames are placed in order; the ones not placed yet (no room on the peer's ring, or no path) follow
/// the placed ones.
/// </summary>
internal sealed class RetransmitRing
{
    private readonly byte[] _bytes;
    private Frame[] _frames = new Frame[256];
    private long _head;
    private long _placed;
    private long _tail;
    private int _byteHead;
    private int _byteTail;

    /// <summary>A ring of <paramref name="capacity"/> bytes.</summary>
    internal RetransmitRing(int capacity) => _bytes = new byte[capacity];

    /// <summary>Frames held (placed and unplaced).</summary>
    internal int Count => (int)(_tail - _head);

    /// <summary>Frames not yet placed on the peer's ring.</summary>
    internal int Unplaced => (int)(_tail - _placed);

    /// <summary>The first frame not yet placed.</summary>
    internal ReadOnlySpan<byte> FirstUnplaced
    {
        get
        {
            var f = _frames[_placed & (_frames.Length - 1)];
            return _bytes.AsSpan(f.Offset, f.Size);
        }
    }

    /// <summary>The size of the first frame not yet placed.</summary>
    internal int FirstUnplacedSize => _frames[_placed & (_frames.Length - 1)].Size;

    /// <summary>True when a frame of <paramref name="size"/> bytes fits now.</summary>
    internal bool HasRoomFor(int size) => Where(size) >= 0;

    /// <summary>Stores a new frame (unplaced) and returns its bytes to fill.</summary>
    internal Span<byte> Append(ulong sequence, int size)
    {
        var offset = Where(size);
        if (offset < 0)
        {
            throw new InvalidOperationException($"no room for a frame of {size} bytes");
        }

        if (Count == _frames.Length)
        {
            Grow();
        }

        _frames[_tail & (_frames.Length - 1)] = new Frame(sequence, offset, size);
        _tail++;
        if (Count == 1)
        {
            _byteHead = offset;
        }

        _byteTail = offset + size;
        return _bytes.AsSpan(offset, size);
    }

    /// <summary>The first unplaced frame is now on the peer's ring.</summary>
    internal void MarkPlaced() => _placed++;

    /// <summary>Drops every frame before <paramref name="expected"/>: the peer has them.</summary>
    internal void Acknowledge(ulong expected)
    {
        while (_head < _tail && _frames[_head & (_frames.Length - 1)].Sequence < expected)
        {
            _head++;
        }

        if (_placed < _head)
        {
            _placed = _head;
        }

        if (_head == _tail)
        {
            _byteHead = _byteTail = 0;
        }
        else
        {
            _byteHead = _frames[_head & (_frames.Length - 1)].Offset;
        }
    }

    /// <summary>Makes every held frame unplaced again (a new path starts empty); returns how many were placed.</summary>
    internal long UnplaceAll()
    {
        var placed = _placed - _head;
        _placed = _head;
        return placed;
    }

    /// <summary>Forgets everything.</summary>
    internal void Clear()
    {
        _head = _placed = _tail = 0;
        _byteHead = _byteTail = 0;
    }

    /// <summary>Where a frame of <paramref name="size"/> bytes would go, or -1 when it does not fit now.</summary>
    private int Where(int size)
    {
        if (_head == _tail)
        {
            return size <= _bytes.Length ? 0 : -1;
        }

        if (_byteTail > _byteHead)
        {
            if (_bytes.Length - _byteTail >= size)
            {
                return _byteTail;
            }

            return _byteHead >= size ? 0 : -1; // wrap; the end of the buffer stays unused
        }

        return _byteHead - _byteTail >= size ? _byteTail : -1;
    }

    private void Grow()
    {
        var bigger = new Frame[_frames.Length * 2];
        for (var i = _head; i < _tail; i++)
        {
            bigger[i & (bigger.Length - 1)] = _frames[i & (_frames.Length - 1)];
        }

        _frames = bigger;
    }

    private readonly record struct Frame(ulong Sequence, int Offset, int Size);
}
