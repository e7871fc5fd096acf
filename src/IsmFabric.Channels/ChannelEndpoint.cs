namespace IsmFabric.Channels;

/// <summary>
/// One side of a channel: an ordered, lossless, flow-controlled, message-framed duplex stream over a pair of DMBs
/// (docs/channel-protocol.md). Frames go into the peer's ring, then the control block publishes the producer cursor;
/// the peer's control block in our DMB tells what it consumed and which frame it expects next. Every frame is kept in
/// a local retransmit ring until acknowledged, so <see cref="ReplacePath"/> (failover to another function) loses and
/// repeats nothing. Never overwrites unconsumed data; signals only when the peer said it waits. Received messages are
/// read in place (<see cref="TryPeek"/>, <see cref="Release"/>). Allocates nothing per message. Not thread-safe: its
/// owner serialises every call.
/// </summary>
public sealed class ChannelEndpoint : IDisposable
{
    private const ControlFlags Waiting = ControlFlags.WantsData | ControlFlags.WantsSpace;
    private readonly RetransmitRing _retransmit;
    private readonly byte[] _slot = new byte[ChannelLayout.ControlBlockSize];
    private readonly byte[] _pointer = new byte[ChannelLayout.PointerSize];
    private readonly byte[] _padding = new byte[ChannelLayout.FrameHeaderSize];
    private IChannelPath _path;
    private int _localRing;
    private int _remoteRing;
    private ulong _sendProduced;
    private ulong _peerConsumed;
    private ulong _recvProducer;
    private ulong _recvCursor;
    private ulong _recvConsumed;
    private ulong _peekEnd;
    private bool _peeked;
    private int _peekOffset;
    private int _peekLength;
    private ulong _lastAdvertised;
    private ulong _nextSendSequence;
    private ulong _nextReceiveSequence;
    private uint _update;
    private uint _epoch;
    private ControlFlags _flags;
    private ControlFlags _peerFlags;
    private ControlFlags _publishedFlags;
    private ulong _signalledProducer;
    private ulong _signalledConsumer;
    private int _refusedSize;
    private bool _dirty;
    private Exception? _pathFailure;
    private bool _closed;

    /// <summary>Creates the endpoint of channel <paramref name="channelId"/> on its first path.</summary>
    public ChannelEndpoint(ulong channelId, IChannelPath path)
    {
        ArgumentNullException.ThrowIfNull(path);
        ChannelId = channelId;
        _path = path;
        SetGeometry(path);
        MaxMessage = ChannelLayout.MaxMessage(Math.Min(_localRing, _remoteRing));
        _retransmit = new RetransmitRing(_remoteRing + ChannelLayout.FrameSize(MaxMessage));
    }

    /// <summary>The channel's id (in every control block, as a guard).</summary>
    public ulong ChannelId { get; }

    /// <summary>The largest message this channel carries.</summary>
    public int MaxMessage { get; }

    /// <summary>The current path generation (0 on the first path).</summary>
    public uint PathEpoch => _epoch;

    /// <summary>The current path.</summary>
    public IChannelPath Path => _path;

    /// <summary>True once the peer announced it is closing.</summary>
    public bool PeerClosing => (_peerFlags & ControlFlags.Closing) != 0;

    /// <summary>True when the peer announced it is about to sleep waiting for data or space.</summary>
    public bool PeerWaits => (_peerFlags & Waiting) != 0;

    /// <summary>Messages written (accepted by <see cref="TryWrite"/>).</summary>
    public long MessagesSent { get; private set; }

    /// <summary>Messages delivered by <see cref="TryPeek"/>.</summary>
    public long MessagesReceived { get; private set; }

    /// <summary>Payload bytes written.</summary>
    public long BytesSent { get; private set; }

    /// <summary>Payload bytes delivered.</summary>
    public long BytesReceived { get; private set; }

    /// <summary>Frames sent again after a path change.</summary>
    public long FramesRetransmitted { get; private set; }

    /// <summary>Duplicate frames the peer re-sent after a path change that were skipped.</summary>
    public long DuplicatesSkipped { get; private set; }

    /// <summary>Frames sent but not yet acknowledged (plus those waiting to be placed on a new path).</summary>
    public int Unacknowledged => _retransmit.Count;

    /// <summary>Frames accepted but not yet placed on the ring (waiting for a new path, or for space on it).</summary>
    public int PendingPlacement => _retransmit.Unplaced;

    /// <summary>The next frame sequence this side sends.</summary>
    public ulong NextSendSequence => _nextSendSequence;

    /// <summary>The next frame sequence this side expects to receive.</summary>
    public ulong NextReceiveSequence => _nextReceiveSequence;

    /// <summary>
    /// The error of the last write into the peer's DMB (the function failed, the DMB went away), or null. Once set,
    /// nothing more is written on this path; accepted messages wait in the retransmit ring for <see cref="ReplacePath"/>.
    /// </summary>
    public Exception? PathFailure => _pathFailure;

    private ulong FreeSpace => (ulong)_remoteRing - (_sendProduced - _peerConsumed);

    /// <summary>
    /// Accepts <paramref name="message"/> for the peer and puts it on the peer's ring; false when there is no room
    /// now (wait for space, see <see cref="PrepareToWait"/>). While the path has failed, messages are accepted into the
    /// retransmit ring as long as it has room, and sent after <see cref="ReplacePath"/>. Call <see cref="Flush"/> to
    /// publish.
    /// </summary>
    public bool TryWrite(ReadOnlySpan<byte> message)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (message.Length > MaxMessage)
        {
            throw new ArgumentException($"message of {message.Length} bytes; this channel carries at most {MaxMessage}", nameof(message));
        }

        var size = ChannelLayout.FrameSize(message.Length);
        PlaceUnplaced(); // frames waiting since a path change go first
        if (!HasRoomFor(size))
        {
            if (_pathFailure is not null)
            {
                // The path failed, and the device may have let go of our DMB already: reading it would be a read after
                // free. Nothing is to be learnt from it anyway; the retransmit ring is full until the next path.
                return NoRoom(size);
            }

            RefreshPeer(); // a local read: learn what the peer acknowledged and consumed
            PlaceUnplaced();
            if (!HasRoomFor(size))
            {
                return NoRoom(size);
            }
        }

        var frame = _retransmit.Append(_nextSendSequence, size);
        new FrameHeader((uint)message.Length, FrameHeader.Data, _nextSendSequence).Encode(frame);
        message.CopyTo(frame[ChannelLayout.FrameHeaderSize..]);
        frame[(ChannelLayout.FrameHeaderSize + message.Length)..].Clear();
        _nextSendSequence++;
        PlaceUnplaced();
        _flags &= ~ControlFlags.WantsSpace;
        MessagesSent++;
        BytesSent += message.Length;
        return true;
    }

    /// <summary>Publishes the producer cursor if anything was written since the last publish (signalling a waiting peer).</summary>
    public void Flush()
    {
        PlaceUnplaced();
        if (_dirty)
        {
            RefreshPeer(); // a local read: whether the peer sleeps now decides the signal
            Publish(force: false);
        }
    }

    /// <summary>
    /// Looks for the next message the peer published (skipping padding and frames re-sent after a path change). When
    /// there is one, <paramref name="offset"/> and <paramref name="length"/> locate its payload in the local DMB
    /// (<see cref="IChannelPath.Local"/> of <see cref="Path"/>); it stays there, unconsumed, until <see cref="Release"/>.
    /// Asking again before releasing returns the same message. Malformed input is a <see cref="ChannelProtocolException"/>.
    /// </summary>
    public bool TryPeek(out int offset, out int length)
    {
        if (_peeked)
        {
            offset = _peekOffset;
            length = _peekLength;
            return true;
        }

        offset = length = 0;
        RefreshPeer();
        var local = _path.Local;
        while (_recvProducer != _recvCursor)
        {
            var available = _recvProducer - _recvCursor;
            var position = (int)(_recvCursor % (ulong)_localRing);
            var toEnd = _localRing - position;
            if (toEnd < ChannelLayout.FrameHeaderSize)
            {
                // No header fits before the ring's end: both sides skip to its start.
                if (available < (ulong)toEnd)
                {
                    throw Inside(available);
                }

                Skip((ulong)toEnd);
                continue;
            }

            if (available < ChannelLayout.FrameHeaderSize)
            {
                throw Inside(available);
            }

            var header = FrameHeader.Decode(local.Slice(ChannelLayout.RingOffset + position, ChannelLayout.FrameHeaderSize));
            if (header.Type == FrameHeader.Padding)
            {
                if (header.Length != (uint)(toEnd - ChannelLayout.FrameHeaderSize) || available < (ulong)toEnd)
                {
                    throw new ChannelProtocolException($"a padding frame of {header.Length} bytes at ring position {position} does not end at the ring's end ({toEnd} bytes on)");
                }

                Skip((ulong)toEnd);
                continue;
            }

            // The channel's limit, not this ring's: both sides derive it from the same two rings, so a valid peer never
            // exceeds it, and readers size their buffers by it (a longer frame fitted our bigger ring and overran them;
            // found by HostileDmbProperties).
            if (header.Length > (uint)MaxMessage)
            {
                throw new ChannelProtocolException($"frame {header.Sequence} claims {header.Length} bytes, more than this channel's messages ({MaxMessage})");
            }

            var size = ChannelLayout.FrameSize((int)header.Length);
            if (size > toEnd)
            {
                throw new ChannelProtocolException($"frame {header.Sequence} of {size} bytes runs past the ring's end ({toEnd} bytes on)");
            }

            if ((ulong)size > available)
            {
                throw new ChannelProtocolException($"frame {header.Sequence} of {size} bytes runs past the producer cursor ({available} bytes published)");
            }

            if (header.Sequence > _nextReceiveSequence)
            {
                throw new ChannelProtocolException($"frame {header.Sequence} arrived while {_nextReceiveSequence} was expected: frames were lost");
            }

            if (header.Sequence < _nextReceiveSequence)
            {
                DuplicatesSkipped++; // re-sent after a path change; delivered before
                Skip((ulong)size);
                continue;
            }

            _peeked = true;
            _peekOffset = offset = ChannelLayout.RingOffset + position + ChannelLayout.FrameHeaderSize;
            _peekLength = length = (int)header.Length;
            _peekEnd = _recvCursor + (ulong)size;
            _nextReceiveSequence++;
            MessagesReceived++;
            BytesReceived += header.Length;
            _flags &= ~ControlFlags.WantsData;
            return true;
        }

        PublishConsumerIfDue();
        return false;
    }

    /// <summary>Consumes the message <see cref="TryPeek"/> returned: its ring space goes back to the peer.</summary>
    public void Release()
    {
        if (!_peeked)
        {
            return;
        }

        _peeked = false;
        _recvCursor = _recvConsumed = _peekEnd;
        PublishConsumerIfDue();
    }

    /// <summary>
    /// Delivers every complete message the peer has published, in order, to <paramref name="onMessage"/> (the span is
    /// valid only during the call), consuming each. Returns how many.
    /// </summary>
    public int Read(ReadOnlySpanAction onMessage)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        var delivered = 0;
        while (TryPeek(out var offset, out var length))
        {
            onMessage(_path.Local.Slice(offset, length));
            Release();
            delivered++;
        }

        return delivered;
    }

    /// <summary>
    /// Announces that this side is about to sleep until data arrives and/or ring space frees (adding to what it already
    /// announced), then looks once more. True when it is safe to sleep (nothing arrived meanwhile and, when waiting for
    /// space, none freed); false when there is work to do now. The peer signals the next change it makes while the
    /// announcement stands; <see cref="CancelWait"/> withdraws it.
    /// </summary>
    public bool PrepareToWait(bool forData, bool forSpace)
    {
        var wanted = (forData ? ControlFlags.WantsData : 0) | (forSpace ? ControlFlags.WantsSpace : 0);
        if ((_flags & wanted) != wanted || _recvConsumed != _lastAdvertised || _dirty)
        {
            _flags |= wanted;
            Publish(force: false);
        }

        // The announcement is a completed store; only now is a second look conclusive.
        Interlocked.MemoryBarrier();
        RefreshPeer();
        var dataWaiting = _peeked || _recvProducer != _recvCursor || PeerClosing;
        var spaceFreed = _retransmit.Unplaced > 0 ? CanPlace(_retransmit.FirstUnplacedSize) : HasRoomFor(Math.Max(_refusedSize, ChannelLayout.FrameHeaderSize));
        return !(forData && dataWaiting) && !(forSpace && spaceFreed);
    }

    /// <summary>Withdraws an announcement of <see cref="PrepareToWait"/> (published with the next control block).</summary>
    public void CancelWait(bool forData, bool forSpace)
    {
        if (forData)
        {
            _flags &= ~ControlFlags.WantsData;
        }

        if (forSpace)
        {
            _flags &= ~ControlFlags.WantsSpace;
        }
    }

    /// <summary>
    /// Moves the channel onto a new path (a new pair of DMBs, usually on another function): the rings start empty, and
    /// every frame not yet acknowledged is sent again in order; the peer skips the ones it already delivered. A message
    /// peeked and not yet released stays where it is on the old path (the caller keeps that path alive until released).
    /// </summary>
    public void ReplacePath(IChannelPath path, uint epoch)
    {
        ArgumentNullException.ThrowIfNull(path);
        var oldRemote = _remoteRing;
        var oldLocal = _localRing;
        SetGeometry(path);
        if (ChannelLayout.MaxMessage(Math.Min(_localRing, _remoteRing)) < MaxMessage)
        {
            var (l, r) = (_localRing, _remoteRing);
            _localRing = oldLocal;
            _remoteRing = oldRemote;
            throw new ArgumentException($"the new path's rings ({l} and {r} bytes) are smaller than the channel's ({oldLocal} and {oldRemote})", nameof(path));
        }

        _path = path;
        _epoch = epoch;
        _sendProduced = _peerConsumed = _recvProducer = _recvCursor = _recvConsumed = _peekEnd = _lastAdvertised = 0;
        _signalledProducer = _signalledConsumer = 0;
        _peeked = false;
        _update = 0;
        _peerFlags &= ControlFlags.Closing;
        _pathFailure = null;
        FramesRetransmitted += _retransmit.UnplaceAll();
        PlaceUnplaced();
        Publish(force: true);
    }

    /// <summary>
    /// Records that the path can no longer carry stores (its device let go of it): nothing more is written on it, and
    /// accepted messages wait in the retransmit ring for <see cref="ReplacePath"/>.
    /// </summary>
    public void MarkPathFailed(Exception reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        _pathFailure ??= reason;
    }

    /// <summary>Announces closing to the peer (with a signal); nothing may be written afterwards.</summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }

        PlaceUnplaced();
        _flags |= ControlFlags.Closing;
        Publish(force: true);
        _closed = true;
    }

    /// <summary>The endpoint's cursors and queues, for logs.</summary>
    public override string ToString() =>
        $"channel {ChannelId} epoch {_epoch}: produced {_sendProduced} (peer consumed {_peerConsumed}, ring {_remoteRing}), " +
        $"consumed {_recvConsumed} of {_recvProducer}, next send {_nextSendSequence}, next receive {_nextReceiveSequence}, " +
        $"unacknowledged {_retransmit.Count} ({_retransmit.Unplaced} unplaced), flags {_flags}, peer flags {_peerFlags}" +
        (_pathFailure is null ? "" : $", path failed: {_pathFailure.Message}");

    /// <summary>Drops the retransmit ring; nothing may be written afterwards.</summary>
    public void Dispose()
    {
        _closed = true;
        _retransmit.Clear();
    }

    private static ChannelProtocolException Inside(ulong available) =>
        new($"the producer cursor stops inside a frame ({available} bytes published past the last whole frame)");

    private void Skip(ulong bytes)
    {
        _recvCursor += bytes;
        _recvConsumed = _recvCursor;
    }

    private bool HasRoomFor(int size) =>
        _retransmit.HasRoomFor(size) && (_pathFailure is not null || (_retransmit.Unplaced == 0 && CanPlace(size)));

    /// <summary>Asks the peer (at the next publish) to say when it consumed: the reader only reports on its own every quarter ring.</summary>
    private bool NoRoom(int size)
    {
        _refusedSize = size;
        if ((_flags & ControlFlags.WantsSpace) == 0)
        {
            _flags |= ControlFlags.WantsSpace;
            _dirty = true;
        }

        return false;
    }

    private bool CanPlace(int size)
    {
        var toEnd = _remoteRing - (int)(_sendProduced % (ulong)_remoteRing);
        var needed = size > toEnd ? toEnd + size : size;
        return FreeSpace >= (ulong)needed;
    }

    private void PlaceUnplaced()
    {
        while (_pathFailure is null && _retransmit.Unplaced > 0 && CanPlace(_retransmit.FirstUnplacedSize))
        {
            var frame = _retransmit.FirstUnplaced;
            var position = (int)(_sendProduced % (ulong)_remoteRing);
            var toEnd = _remoteRing - position;
            if (frame.Length > toEnd)
            {
                if (toEnd >= ChannelLayout.FrameHeaderSize)
                {
                    new FrameHeader((uint)(toEnd - ChannelLayout.FrameHeaderSize), FrameHeader.Padding, 0).Encode(_padding);
                    if (!Store(ChannelLayout.RingOffset + position, _padding, signal: false))
                    {
                        return;
                    }
                }

                _sendProduced += (ulong)toEnd;
                position = 0;
            }

            if (!Store(ChannelLayout.RingOffset + position, frame, signal: false))
            {
                return;
            }

            _sendProduced += (ulong)frame.Length;
            _retransmit.MarkPlaced();
            _dirty = true;
        }
    }

    private void SetGeometry(IChannelPath path)
    {
        if (path.Local.Length < ChannelLayout.MinDmbSize || path.RemoteSize < ChannelLayout.MinDmbSize
            || path.Local.Length % ChannelLayout.FrameAlignment != 0 || path.RemoteSize % ChannelLayout.FrameAlignment != 0)
        {
            throw new ArgumentException($"channel DMBs must be at least {ChannelLayout.MinDmbSize} bytes and a multiple of {ChannelLayout.FrameAlignment}", nameof(path));
        }

        _localRing = ChannelLayout.RingSize(path.Local.Length);
        _remoteRing = ChannelLayout.RingSize(path.RemoteSize);
    }

    private void RefreshPeer()
    {
        if (!ControlBlock.TryRead(_path.Local, out var cb))
        {
            return; // never written on this path yet, or a write is landing right now: look again later
        }

        if (cb.ChannelId != ChannelId)
        {
            throw new ChannelProtocolException($"control block names channel {cb.ChannelId}, this is channel {ChannelId}");
        }

        if (cb.PathEpoch != _epoch)
        {
            return; // written for another path generation; the peer will write again
        }

        if (cb.Producer < _recvProducer)
        {
            throw new ChannelProtocolException($"producer cursor went back from {_recvProducer} to {cb.Producer}");
        }

        if (cb.Producer - _recvConsumed > (ulong)_localRing)
        {
            throw new ChannelProtocolException($"producer cursor {cb.Producer} is beyond the ring (consumed {_recvConsumed}, ring {_localRing} bytes)");
        }

        if (cb.Consumer > _sendProduced || cb.Consumer < _peerConsumed)
        {
            throw new ChannelProtocolException($"consumer cursor {cb.Consumer} is outside what was sent ({_peerConsumed}..{_sendProduced})");
        }

        if (cb.ExpectedSequence > _nextSendSequence)
        {
            throw new ChannelProtocolException($"the peer acknowledges frame {cb.ExpectedSequence - 1}, which was never sent");
        }

        _recvProducer = cb.Producer;
        _peerConsumed = cb.Consumer;
        _peerFlags = cb.Flags;
        _retransmit.Acknowledge(cb.ExpectedSequence);
    }

    private void PublishConsumerIfDue()
    {
        if (_recvConsumed - _lastAdvertised >= (ulong)(_localRing / 4)
            || ((_peerFlags & ControlFlags.WantsSpace) != 0 && _recvConsumed != _lastAdvertised)
            || _publishedFlags != _flags)
        {
            Publish(force: false);
        }
    }

    private bool PeerWaitsForUs() =>
        ((_peerFlags & ControlFlags.WantsData) != 0 && _sendProduced != _signalledProducer)
        || ((_peerFlags & ControlFlags.WantsSpace) != 0 && _recvConsumed != _signalledConsumer);

    /// <summary>
    /// Publishes the control block (two stores: the slot, then the pointer, which carries the signal). Then, because
    /// the peer may have announced it waits just before our store landed, looks at its flags once more and signals if
    /// it now waits for what we produced or consumed: with both sides storing before they look, no wake-up is lost.
    /// </summary>
    private void Publish(bool force)
    {
        var signal = force || PeerWaitsForUs();
        if (!PublishOnce(signal))
        {
            return;
        }

        if (!signal)
        {
            Interlocked.MemoryBarrier();
            RefreshPeer();
            if (PeerWaitsForUs())
            {
                PublishOnce(signal: true);
            }
        }
    }

    private bool PublishOnce(bool signal)
    {
        var block = new ControlBlock(++_update, _flags, _sendProduced, _recvConsumed, ChannelId, _nextReceiveSequence, _epoch);
        block.EncodeSlot(_slot);
        block.EncodePointer(_pointer);
        if (!Store(ChannelLayout.SlotOffset(ControlBlock.SlotOf(block.Update)), _slot, signal: false)
            || !Store(ChannelLayout.PointerOffset, _pointer, signal))
        {
            return false;
        }

        if (signal)
        {
            _signalledProducer = _sendProduced;
            _signalledConsumer = _recvConsumed;
        }

        _publishedFlags = _flags;
        _lastAdvertised = _recvConsumed;
        _dirty = false;
        return true;
    }

    private bool Store(int offset, ReadOnlySpan<byte> data, bool signal)
    {
        if (_pathFailure is not null)
        {
            return false;
        }

        try
        {
            _path.WriteRemote(offset, data, signal);
            return true;
        }
        catch (Exception e) when (e is not ChannelProtocolException and not ArgumentException)
        {
            _pathFailure = e;
            return false;
        }
    }
}
