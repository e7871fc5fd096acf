using Akka.Actor;
using IsmFabric.Channels;
using IsmFabric.Fabric.Devices;

namespace IsmFabric.Fabric.Channels;

/// <summary>
/// A channel's bytes, moved without any actor: senders write frames into the peer's ring with moves from their own
/// thread (several messages queued together go out with one control-block publish), the reader reads in place from
/// our DMB under a lease, and both sleep on signals the function's interrupt thread sets. Every use of a DMB passes its
/// gate. The channel actor only decides: it replaces the path on failover, closes, ends; the data plane tells it of
/// path failures, protocol violations and the peer closing.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "Lives as long as its channel; the endpoint holds managed memory only and the semaphore never allocates a wait handle.")]
internal sealed class ChannelDataPlane : IChannelWaker
{
    private readonly Lock _lock = new();
    private readonly ChannelEndpoint _endpoint;
    private readonly AsyncSignal _readable = new();
    private readonly AsyncSignal _writable = new();
    private readonly SemaphoreSlim _senders = new(1, 1);
    private readonly IActorRef _actor;
    private readonly TimeSpan _spin;
    private DevicePath _path;
    private int _queuedSenders;
    private bool _sendsClosed;
    private string? _sendsClosedReason;
    private ChannelClosedException? _ended;
    private bool _endedByFailure;
    private bool _pathFailureReported;
    private bool _peerClosingReported;
    private bool _readerAtEndReported;
    private bool _leased;
    private long _leaseGeneration;
    private DmbHandle? _leaseHandle;

    /// <summary>Creates the data plane of a channel on its first path; the caller is inside nothing.</summary>
    public ChannelDataPlane(ulong endpointId, DevicePath path, IActorRef actor, TimeSpan spin)
    {
        _path = path;
        _actor = actor;
        _spin = spin;
        if (!path.Handle.TryEnter())
        {
            throw new ChannelClosedException($"the DMB {path.Handle.Token} was released before the channel opened");
        }

        try
        {
            _endpoint = new ChannelEndpoint(endpointId, path);
        }
        finally
        {
            path.Handle.Exit();
        }

        path.Handle.SetWaker(this);
    }

    /// <summary>The largest message.</summary>
    public int MaxMessage => _endpoint.MaxMessage;

    /// <summary>True when everything sent has been acknowledged by the peer.</summary>
    public bool AllAcknowledged
    {
        get
        {
            lock (_lock)
            {
                if (_path.Handle.TryEnter())
                {
                    try
                    {
                        _endpoint.Flush(); // publishes and learns the peer's acknowledgements
                    }
                    finally
                    {
                        _path.Handle.Exit();
                    }
                }

                return _endpoint.Unacknowledged == 0;
            }
        }
    }

    /// <summary>Counters for listings.</summary>
    public (long MessagesSent, long MessagesReceived, long BytesSent, long BytesReceived) Counters
    {
        get
        {
            lock (_lock)
            {
                return (_endpoint.MessagesSent, _endpoint.MessagesReceived, _endpoint.BytesSent, _endpoint.BytesReceived);
            }
        }
    }

    /// <summary>Sends a message: returns once it is on the peer's ring (or, while failing over, kept for the new path).</summary>
    public ValueTask SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        if (message.Length > MaxMessage)
        {
            throw new ArgumentException($"message of {message.Length} bytes; this channel carries at most {MaxMessage}", nameof(message));
        }

        Interlocked.Increment(ref _queuedSenders);
        if (!_senders.Wait(0, CancellationToken.None))
        {
            return SendSlowAsync(message, holding: false, cancellationToken);
        }

        bool written;
        try
        {
            written = TryWrite(message.Span);
        }
        catch
        {
            // A send that fails (the channel ended) gives its turn back, or every later send would wait for it forever.
            _senders.Release();
            Interlocked.Decrement(ref _queuedSenders);
            throw;
        }

        if (written)
        {
            _senders.Release();
            Interlocked.Decrement(ref _queuedSenders);
            return ValueTask.CompletedTask;
        }

        return SendSlowAsync(message, holding: true, cancellationToken);
    }

    private async ValueTask SendSlowAsync(ReadOnlyMemory<byte> message, bool holding, CancellationToken cancellationToken)
    {
        try
        {
            if (!holding)
            {
                await _senders.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                while (!TryWrite(message.Span))
                {
                    if (MaySleepForSpace())
                    {
                        await _writable.WaitAsync(cancellationToken).ConfigureAwait(false);
                    }
                }
            }
            finally
            {
                _senders.Release();
            }
        }
        finally
        {
            Interlocked.Decrement(ref _queuedSenders);
        }
    }

    private bool TryWrite(ReadOnlySpan<byte> message)
    {
        lock (_lock)
        {
            ThrowIfSendsClosed();
            var handle = _path.Handle;
            if (!handle.TryEnter())
            {
                _endpoint.MarkPathFailed(new ChannelClosedException($"the device let go of {handle}"));
                ReportPathFailure();
                return _endpoint.TryWrite(message); // kept for the next path, while there is room
            }

            try
            {
                var written = _endpoint.TryWrite(message);

                // Others queued behind us publish with their frames: one publish for the lot.
                if (written && Volatile.Read(ref _queuedSenders) <= 1)
                {
                    _endpoint.Flush();
                }

                ReportPathFailure();
                return written;
            }
            catch (ChannelProtocolException e)
            {
                throw Violation(e);
            }
            finally
            {
                handle.Exit();
            }
        }
    }

    /// <summary>Announces that the sender waits for space; false when there is room already.</summary>
    private bool MaySleepForSpace()
    {
        lock (_lock)
        {
            ThrowIfSendsClosed();
            var handle = _path.Handle;
            if (_endpoint.PathFailure is not null || !handle.TryEnter())
            {
                return true; // the channel actor replaces the path, which wakes us
            }

            try
            {
                return _endpoint.PrepareToWait(forData: false, forSpace: true);
            }
            catch (ChannelProtocolException e)
            {
                throw Violation(e);
            }
            finally
            {
                handle.Exit();
            }
        }
    }

    /// <summary>
    /// Waits for the next message and leases it: its bytes stay in our DMB, unconsumed, until the lease is disposed.
    /// One reader, one lease at a time. Throws <see cref="ChannelClosedException"/> once the channel has ended (after
    /// every message the peer sent before closing was delivered).
    /// </summary>
    public async ValueTask<ChannelMessage> ReceiveAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (TryLease(out var message))
            {
                return message;
            }

            if (_spin > TimeSpan.Zero)
            {
                // A short spin first: a reply that is microseconds away costs no sleep and no wake-up.
                var spinner = default(SpinWait);
                var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(_spin.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
                while (System.Diagnostics.Stopwatch.GetTimestamp() < deadline)
                {
                    spinner.SpinOnce(sleep1Threshold: -1);
                    if (TryLease(out message))
                    {
                        return message;
                    }
                }
            }

            if (MaySleepForData())
            {
                await _readable.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private bool TryLease(out ChannelMessage message)
    {
        message = default;
        lock (_lock)
        {
            if (_leased)
            {
                throw new InvalidOperationException("the previous message is still leased: dispose it before receiving the next");
            }

            var handle = _path.Handle;
            if (!handle.TryEnter())
            {
                ThrowIfEndedForReader();
                return false;
            }

            var keep = false;
            try
            {
                if (_endpoint.TryPeek(out var offset, out var length))
                {
                    _leased = keep = true;
                    _leaseHandle = handle;
                    message = new ChannelMessage(this, handle, offset, length, ++_leaseGeneration);
                    return true;
                }

                if (_endpoint.PeerClosing)
                {
                    ReportPeerClosing(atEnd: true);
                    throw new ChannelClosedException(_ended?.Message ?? "the peer closed the channel");
                }

                ThrowIfEndedForReader();
                return false;
            }
            catch (ChannelProtocolException e)
            {
                throw Violation(e);
            }
            finally
            {
                if (!keep)
                {
                    handle.Exit();
                }
            }
        }
    }

    private bool MaySleepForData()
    {
        lock (_lock)
        {
            var handle = _path.Handle;
            if (!handle.TryEnter())
            {
                return true;
            }

            try
            {
                return _endpoint.PrepareToWait(forData: true, forSpace: false);
            }
            catch (ChannelProtocolException e)
            {
                throw Violation(e);
            }
            finally
            {
                handle.Exit();
            }
        }
    }

    /// <summary>The leased message's bytes (valid until the lease is released).</summary>
    internal ReadOnlySpan<byte> Bytes(DmbHandle handle, int offset, int length, long generation)
    {
        if (!_leased || generation != Volatile.Read(ref _leaseGeneration))
        {
            throw new ObjectDisposedException(nameof(ChannelMessage), "the message was released");
        }

        return handle.Memory.Slice(offset, length);
    }

    /// <summary>Consumes the leased message: its ring space goes back to the peer.</summary>
    internal void Release(in ChannelMessage message)
    {
        lock (_lock)
        {
            if (!_leased || message.Generation != _leaseGeneration)
            {
                return;
            }

            _leased = false;
            var handle = _leaseHandle!;
            _leaseHandle = null;
            try
            {
                if (ReferenceEquals(handle, _path.Handle))
                {
                    _endpoint.Release(); // publishes the consumer cursor when the peer needs it
                }
            }
            catch (ChannelProtocolException e)
            {
                throw Violation(e);
            }
            finally
            {
                handle.Exit();
            }
        }
    }

    /// <summary>The peer signalled one of our DMBs (interrupt thread).</summary>
    public void Wake()
    {
        _readable.Set();
        _writable.Set();
    }

    // ---- control, from the channel actor ----------------------------------------------------------------------------

    /// <summary>Moves the channel onto <paramref name="path"/> (failover): unacknowledged frames are sent again on it.</summary>
    public DevicePath ReplacePath(DevicePath path, uint epoch)
    {
        DevicePath old;
        lock (_lock)
        {
            if (!path.Handle.TryEnter())
            {
                throw new ChannelClosedException($"the DMB {path.Handle.Token} was released before the channel moved onto it");
            }

            try
            {
                _endpoint.ReplacePath(path, epoch);
            }
            finally
            {
                path.Handle.Exit();
            }

            old = _path;
            _path = path;
            _pathFailureReported = false;
        }

        old.Handle.SetWaker(null);
        path.Handle.SetWaker(this);
        Wake();
        return old;
    }

    /// <summary>No more sends: the user closes (what was sent is still delivered).</summary>
    public void CloseSends(string reason)
    {
        lock (_lock)
        {
            _sendsClosed = true;
            _sendsClosedReason ??= reason;
        }

        Wake();
    }

    /// <summary>Announces closing to the peer (the Closing flag, with a signal).</summary>
    public void AnnounceClose()
    {
        lock (_lock)
        {
            if (_path.Handle.TryEnter())
            {
                try
                {
                    _endpoint.Close();
                }
                finally
                {
                    _path.Handle.Exit();
                }
            }
        }
    }

    /// <summary>Ends the data plane: senders and the reader get <see cref="ChannelClosedException"/> (with <paramref name="failure"/> when it failed).</summary>
    public void End(string? failure, string closedReason)
    {
        lock (_lock)
        {
            _ended ??= new ChannelClosedException(failure ?? closedReason);
            _endedByFailure = failure is not null;
            _sendsClosed = true;
        }

        _path.Handle.SetWaker(null);
        Wake();
    }

    /// <summary>The endpoint's cursors and the data plane's state, for diagnostics.</summary>
    internal string Describe()
    {
        lock (_lock)
        {
            return $"{_endpoint}; path {_path.Handle} to {_path.Remote} (gate closed {_path.Handle.Gate.IsClosed}); leased {_leased}; sends closed {_sendsClosed}; ended {_ended?.Message ?? "no"}; queued senders {_queuedSenders}";
        }
    }

    /// <summary>True when the channel ended by a failure.</summary>
    public bool EndedByFailure
    {
        get
        {
            lock (_lock)
            {
                return _endedByFailure;
            }
        }
    }

    private void ThrowIfSendsClosed()
    {
        if (_ended is not null)
        {
            throw _ended;
        }

        if (_sendsClosed)
        {
            throw new ChannelClosedException(_sendsClosedReason ?? "the channel is closing");
        }

        if (_endpoint.PeerClosing)
        {
            throw new ChannelClosedException("the peer closed the channel");
        }
    }

    private void ThrowIfEndedForReader()
    {
        if (_ended is not null)
        {
            throw _ended;
        }
    }

    private void ReportPathFailure()
    {
        if (_endpoint.PathFailure is { } failure && !_pathFailureReported)
        {
            _pathFailureReported = true;
            _actor.Tell(new ChannelActor.PathFailed(_endpoint.PathEpoch, failure.Message), ActorRefs.NoSender);
        }
    }

    private void ReportPeerClosing(bool atEnd)
    {
        if (!_peerClosingReported)
        {
            _peerClosingReported = true;
            _actor.Tell(ChannelActor.PeerClosing.Instance, ActorRefs.NoSender);
        }

        if (atEnd && !_readerAtEndReported)
        {
            _readerAtEndReported = true;
            _actor.Tell(ChannelActor.ReaderAtEnd.Instance, ActorRefs.NoSender);
        }
    }

    private ChannelClosedException Violation(ChannelProtocolException e)
    {
        var reason = $"the peer broke the channel protocol: {e.Message}";
        _ended ??= new ChannelClosedException(reason);
        _endedByFailure = true;
        _sendsClosed = true;
        _actor.Tell(new ChannelActor.ProtocolViolation(e.Message), ActorRefs.NoSender);
        return _ended;
    }
}
