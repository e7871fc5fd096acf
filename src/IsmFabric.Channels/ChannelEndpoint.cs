namespace IsmFabric.Channels;

/// <summary>
/// One side of a channel: an ordered, lossless, flow-controlled, message-framed duplex stream over a pair of DMBs
/// (docs/channel-protocol.md). Frames go into the peer's ring, then a control block publishes the producer cursor;
/// the peer's control block in our DMB tells what it consumed and which frame it expects next. Frames stay in a
/// retransmit window until acknowledged, so <see cref="ReplacePath"/> (failover to another function) loses and
/// repeats nothing. Never overwrites unconsumed data; signals only when the peer said it waits. Not thread-safe:
/// one owner (the channel actor) drives it.
/// </summary>
public sealed class ChannelEndpoint : IDisposable
{
    private readonly Queue<Frame> _window = new();
    private readonly LinkedList<Frame> _unsent = new();
    private readonly byte[] _header = new byte[ChannelLayout.FrameHeaderSize];
    private byte[] _scratch = [];
    private IChannelPath _path;
    private int _localRing;
    private int _remoteRing;
    private ulong _sendProduced;
    private ulong _peerConsumed;
    private ulong _recvConsumed;
    private ulong _recvProducer;
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
    private bool _dirty;
    private int _unsentBytes;
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
    }

    /// <summary>The channel's id (in every control block, as a guard).</summary>
    public ulong ChannelId { get; }

    /// <summary>The largest message this channel carries.</summary>
    public int MaxMessage { get; }

    /// <summary>The current path generation (0 on the first path).</summary>
    public uint PathEpoch => _epoch;

    /// <summary>True once the peer announced it is closing.</summary>
    public bool PeerClosing => (_peerFlags & ControlFlags.Closing) != 0;

    /// <summary>Messages written (accepted by <see cref="TryWrite"/>).</summary>
    public long MessagesSent { get; private set; }

    /// <summary>Messages delivered by <see cref="Read"/>.</summary>
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
    public int Unacknowledged => _window.Count + _unsent.Count;

    /// <summary>Frames accepted but not yet placed on the ring (waiting for space or for a new path).</summary>
    public int PendingPlacement => _unsent.Count;

    /// <summary>The next frame sequence this side sends.</summary>
    public ulong NextSendSequence => _nextSendSequence;

    /// <summary>The next frame sequence this side expects to receive.</summary>
    public ulong NextReceiveSequence => _nextReceiveSequence;

    private ulong FreeSpace => (ulong)_remoteRing - (_sendProduced - _peerConsumed);

    /// <summary>
    /// Accepts <paramref name="message"/> for the peer and puts it on the peer's ring; false when there is no room
    /// now (wait for space, see <see cref="PrepareToWait"/>). A message accepted while the path fails is kept and
    /// sent after <see cref="ReplacePath"/>; see <see cref="PathFailure"/>. Call <see cref="Flush"/> to publish.
    /// </summary>
    public bool TryWrite(ReadOnlySpan<byte> message)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        if (message.Length > MaxMessage)
        {
            throw new ArgumentException($"message of {message.Length} bytes; this channel carries at most {MaxMessage}", nameof(message));
        }

        var size = ChannelLayout.FrameSize(message.Length);
        PumpUnsent();
        if (_unsent.Count > 0 || FreeSpace < (ulong)size)
        {
            // Learn what the peer consumed (a local read) before deciding there is no room.
            RefreshPeer();
            PumpUnsent();
        }

        if (_unsent.Count > 0 || _pathFailure is not null)
        {
            // Queued behind frames waiting for space or for a new path: at most one ring's worth.
            if (_unsentBytes + size > _remoteRing)
            {
                return NoRoom();
            }
        }
        else if (FreeSpace < (ulong)size)
        {
            return NoRoom();
        }

        // Not pooled: a path may still hold a store of this frame after the peer acknowledged it (a retransmit
        // after a path change), and the store must keep these bytes; the GC frees them when nothing refers to them.
        var buffer = new byte[size];
        new FrameHeader((uint)message.Length, FrameHeader.Data, _nextSendSequence).Encode(buffer);
        message.CopyTo(buffer.AsSpan(ChannelLayout.FrameHeaderSize));
        buffer.AsSpan(ChannelLayout.FrameHeaderSize + message.Length, size - ChannelLayout.FrameHeaderSize - message.Length).Clear();
        _unsent.AddLast(new Frame(_nextSendSequence++, buffer, size));
        _unsentBytes += size;
        PumpUnsent();
        _flags &= ~ControlFlags.WantsSpace;
        MessagesSent++;
        BytesSent += message.Length;
        return true;
    }

    /// <summary>Asks the peer (at the next publish) to say when it consumed: the reader only reports on its own every quarter ring.</summary>
    private bool NoRoom()
    {
        if ((_flags & ControlFlags.WantsSpace) == 0)
        {
            _flags |= ControlFlags.WantsSpace;
            _dirty = true;
        }

        return false;
    }

    /// <summary>
    /// The error of the last write into the peer's DMB (the function failed, the DMB went away), or null. Once set,
    /// nothing more is written on this path; accepted messages wait for <see cref="ReplacePath"/>.
    /// </summary>
    public Exception? PathFailure => _pathFailure;

    /// <summary>Publishes the producer cursor (one store), signalling only when the peer waits.</summary>
    public void Flush()
    {
        if (_dirty)
        {
            // Look at the peer's latest announcement (a local read) to know whether it sleeps.
            RefreshPeer();
            Publish(force: false);
        }
    }

    /// <summary>
    /// Delivers every complete message the peer has published, in order, to <paramref name="onMessage"/> (the span
    /// is valid only during the call), and publishes the consumer cursor when the peer needs it. Returns how many.
    /// </summary>
    public int Read(ReadOnlySpanAction onMessage)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        RefreshPeer();
        var local = _path.Local;
        var delivered = 0;
        while (_recvProducer - _recvConsumed >= ChannelLayout.FrameHeaderSize)
        {
            var available = _recvProducer - _recvConsumed;
            CopyFromRing(local, _recvConsumed, _header);
            var header = FrameHeader.Decode(_header);
            if (header.Length > ChannelLayout.MaxMessage(_localRing))
            {
                throw new ChannelProtocolException($"frame {header.Sequence} claims {header.Length} bytes, more than this ring's messages ({ChannelLayout.MaxMessage(_localRing)})");
            }

            var size = ChannelLayout.FrameSize((int)header.Length);
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
            }
            else
            {
                onMessage(Payload(local, _recvConsumed + ChannelLayout.FrameHeaderSize, (int)header.Length));
                _nextReceiveSequence++;
                delivered++;
                MessagesReceived++;
                BytesReceived += header.Length;
            }

            _recvConsumed += (ulong)size;
        }

        if (_recvProducer != _recvConsumed)
        {
            throw new ChannelProtocolException($"producer cursor {_recvProducer} stops inside a frame (consumed {_recvConsumed})");
        }

        if (delivered > 0)
        {
            _flags &= ~ControlFlags.WantsData;
        }

        if (_recvConsumed - _lastAdvertised >= (ulong)(_localRing / 4)
            || ((_peerFlags & ControlFlags.WantsSpace) != 0 && _recvConsumed != _lastAdvertised)
            || _publishedFlags != _flags)
        {
            Publish(force: false);
        }

        return delivered;
    }

    /// <summary>
    /// Announces that this side is about to sleep until data arrives and/or ring space frees, then looks once more.
    /// True when it is safe to sleep (nothing arrived meanwhile and, when waiting for space, none freed); false when
    /// there is work to do now. The peer signals the next change it makes while the announcement stands.
    /// </summary>
    public bool PrepareToWait(bool forData, bool forSpace)
    {
        var wanted = (forData ? ControlFlags.WantsData : 0) | (forSpace ? ControlFlags.WantsSpace : 0);
        if ((_flags & (ControlFlags.WantsData | ControlFlags.WantsSpace)) != wanted || _recvConsumed != _lastAdvertised || _dirty)
        {
            _flags = (_flags & ControlFlags.Closing) | wanted;
            Publish(force: false);
        }

        // The announcement is a completed store; only now is a second look conclusive.
        Thread.MemoryBarrier();
        RefreshPeer();
        var dataWaiting = _recvProducer != _recvConsumed || PeerClosing;
        var spaceFreed = _unsent.Count == 0 ? FreeSpace >= (ulong)ChannelLayout.FrameSize(MaxMessage) : FreeSpace >= (ulong)_unsent.First!.Value.Size;
        return !(forData && dataWaiting) && !(forSpace && spaceFreed);
    }

    /// <summary>
    /// The second half of the wake-up handshake when stores complete asynchronously: after our last store has
    /// landed, look again at the peer's announcement and, if it waits for what we produced or consumed since we
    /// last signalled, signal it now. Returns true when it signalled.
    /// </summary>
    public bool NudgeIfPeerWaits()
    {
        if (_closed || _pathFailure is not null)
        {
            return false;
        }

        RefreshPeer();
        var wantsData = (_peerFlags & ControlFlags.WantsData) != 0 && _sendProduced != _signalledProducer;
        var wantsSpace = (_peerFlags & ControlFlags.WantsSpace) != 0 && _recvConsumed != _signalledConsumer;
        if (!wantsData && !wantsSpace)
        {
            return false;
        }

        Publish(force: true);
        return true;
    }

    /// <summary>
    /// Moves the channel onto a new path (a new pair of DMBs, usually on another function): the ring starts empty,
    /// and every frame not yet acknowledged is sent again in order; the peer skips the ones it already delivered.
    /// </summary>
    public void ReplacePath(IChannelPath path, uint epoch)
    {
        ArgumentNullException.ThrowIfNull(path);
        var oldRemote = _remoteRing;
        _path = path;
        SetGeometry(path);
        if (ChannelLayout.MaxMessage(Math.Min(_localRing, _remoteRing)) < MaxMessage)
        {
            throw new ArgumentException($"the new path's DMBs are smaller than the channel's (ring {_remoteRing} < {oldRemote})", nameof(path));
        }

        _epoch = epoch;
        _sendProduced = _peerConsumed = _recvConsumed = _recvProducer = _lastAdvertised = _signalledProducer = _signalledConsumer = 0;
        _update = 0;
        _peerFlags &= ControlFlags.Closing;
        _pathFailure = null;
        var node = _unsent.First;
        while (_window.Count > 0)
        {
            // Everything not acknowledged goes again, in order, ahead of what was never sent.
            var frame = _window.Dequeue();
            if (node is null)
            {
                _unsent.AddLast(frame);
            }
            else
            {
                _unsent.AddBefore(node, frame);
            }

            _unsentBytes += frame.Size;
            FramesRetransmitted++;
        }

        PumpUnsent();
        Publish(force: true);
    }

    /// <summary>Announces closing to the peer (with a signal); nothing may be written afterwards.</summary>
    public void Close()
    {
        if (_closed)
        {
            return;
        }

        _flags |= ControlFlags.Closing;
        Publish(force: true);
        _closed = true;
    }

    /// <summary>The endpoint's cursors and queues, for logs.</summary>
    public override string ToString() =>
        $"channel {ChannelId} epoch {_epoch}: produced {_sendProduced} (peer consumed {_peerConsumed}, ring {_remoteRing}), " +
        $"consumed {_recvConsumed} of {_recvProducer}, next send {_nextSendSequence}, next receive {_nextReceiveSequence}, " +
        $"window {_window.Count}, unsent {_unsent.Count} ({_unsentBytes} bytes), flags {_flags}, peer flags {_peerFlags}";

    /// <summary>Drops the retransmit window; nothing may be written afterwards.</summary>
    public void Dispose()
    {
        _closed = true;
        _window.Clear();
        _unsent.Clear();
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
        var local = _path.Local;
        ControlBlock cb = default;
        var decoded = false;
        for (var attempt = 0; attempt < 64 && !(decoded = ControlBlock.TryDecode(local[..ChannelLayout.ControlBlockSize], out cb)); attempt++)
        {
            if (System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(local) == 0)
            {
                return; // the peer has not written on this path yet
            }

            Thread.SpinWait(16); // a store is landing right now; it completes within microseconds
        }

        if (!decoded)
        {
            return;
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
        Release(cb.ExpectedSequence);
    }

    private void Release(ulong expected)
    {
        while (_window.Count > 0 && _window.Peek().Sequence < expected)
        {
            _window.Dequeue();
        }

        while (_unsent.First is { } first && first.Value.Sequence < expected)
        {
            _unsentBytes -= first.Value.Size;
            _unsent.RemoveFirst();
        }
    }

    /// <summary>Places frames waiting for the current path; true when none is left waiting.</summary>
    private bool PumpUnsent()
    {
        while (_pathFailure is null && _unsent.First is { } first && FreeSpace >= (ulong)first.Value.Size)
        {
            if (!Place(first.Value))
            {
                break;
            }

            _unsent.RemoveFirst();
            _unsentBytes -= first.Value.Size;
            _window.Enqueue(first.Value);
        }

        return _unsent.Count == 0;
    }

    private bool Place(Frame frame)
    {
        var position = (int)(_sendProduced % (ulong)_remoteRing);
        var first = Math.Min(frame.Size, _remoteRing - position);
        if (!Store(ChannelLayout.RingOffset + position, frame.Buffer.AsMemory(0, first), signal: false)
            || (first < frame.Size && !Store(ChannelLayout.RingOffset, frame.Buffer.AsMemory(first, frame.Size - first), signal: false)))
        {
            return false;
        }

        _sendProduced += (ulong)frame.Size;
        _dirty = true;
        return true;
    }

    private bool Store(int offset, ReadOnlyMemory<byte> data, bool signal)
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

    private void Publish(bool force)
    {
        // A fresh 64-byte block per publish: the path may carry the store out after we moved on.
        var control = new byte[ChannelLayout.ControlBlockSize];
        new ControlBlock(++_update, _flags, _sendProduced, _recvConsumed, ChannelId, _nextReceiveSequence, _epoch).Encode(control);
        var signal = force || (_peerFlags & (ControlFlags.WantsData | ControlFlags.WantsSpace)) != 0;
        if (!Store(0, control, signal))
        {
            return;
        }

        if (signal)
        {
            _signalledProducer = _sendProduced;
            _signalledConsumer = _recvConsumed;
        }

        _publishedFlags = _flags;
        _lastAdvertised = _recvConsumed;
        _dirty = false;
    }

    private void CopyFromRing(Span<byte> local, ulong cursor, Span<byte> destination)
    {
        var position = (int)(cursor % (ulong)_localRing);
        var first = Math.Min(destination.Length, _localRing - position);
        local.Slice(ChannelLayout.RingOffset + position, first).CopyTo(destination);
        if (first < destination.Length)
        {
            local.Slice(ChannelLayout.RingOffset, destination.Length - first).CopyTo(destination[first..]);
        }
    }

    private ReadOnlySpan<byte> Payload(Span<byte> local, ulong cursor, int length)
    {
        var position = (int)(cursor % (ulong)_localRing);
        if (position + length <= _localRing)
        {
            return local.Slice(ChannelLayout.RingOffset + position, length);
        }

        if (_scratch.Length < length)
        {
            _scratch = new byte[Math.Max(length, 4096)];
        }

        CopyFromRing(local, cursor, _scratch.AsSpan(0, length));
        return _scratch.AsSpan(0, length);
    }

    private sealed record Frame(ulong Sequence, byte[] Buffer, int Size);
}
