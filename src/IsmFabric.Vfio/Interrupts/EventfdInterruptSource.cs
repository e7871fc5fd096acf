using System.Diagnostics;

namespace IsmFabric.Vfio;

/// <summary>
/// An MSI vector delivered through an eventfd (created EFD_CLOEXEC|EFD_NONBLOCK): each interrupt adds to an 8-byte
/// counter and reading it consumes the whole count. Wait polls the eventfd together with a second, private eventfd
/// that cancellation and Dispose signal, so a blocked waiter wakes promptly. One waiter at a time.
/// </summary>
internal sealed unsafe class EventfdInterruptSource : IInterruptSource
{
    private readonly SafeFdHandle _eventfd;
    private readonly SafeFdHandle _wake;
    private volatile bool _disposed;

    private EventfdInterruptSource(SafeFdHandle eventfd, SafeFdHandle wake)
    {
        _eventfd = eventfd;
        _wake = wake;
    }

    /// <summary>The eventfd number handed to VFIO_DEVICE_SET_IRQS.</summary>
    internal int Descriptor => _eventfd.Fd;

    /// <summary>Creates the interrupt eventfd and its wake-up companion.</summary>
    internal static EventfdInterruptSource Create()
    {
        var eventfd = CreateEventfd();
        try
        {
            return new EventfdInterruptSource(eventfd, CreateEventfd());
        }
        catch
        {
            eventfd.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public long Wait(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (timeout < TimeSpan.Zero && timeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "must be non-negative or Timeout.InfiniteTimeSpan");
        }

        if (cancellationToken.IsCancellationRequested)
        {
            return 0;
        }

        var eventfdAdded = false;
        var wakeAdded = false;
        var registration = default(CancellationTokenRegistration);
        try
        {
            // Keep both numbers from being closed and reused while poll() looks at them. A Dispose that got in
            // after the check above counts as the wake-up it is.
            try
            {
                _eventfd.DangerousAddRef(ref eventfdAdded);
                _wake.DangerousAddRef(ref wakeAdded);
            }
            catch (ObjectDisposedException)
            {
                return 0;
            }

            var pending = Drain(_eventfd.Fd);
            if (pending > 0 || timeout == TimeSpan.Zero)
            {
                return pending;
            }

            if (cancellationToken.CanBeCanceled)
            {
                registration = cancellationToken.UnsafeRegister(static state => ((EventfdInterruptSource)state!).Wake(), this);
            }

            var started = Stopwatch.GetTimestamp();
            var fds = stackalloc Interop.PollFd[2];
            while (true)
            {
                fds[0] = new Interop.PollFd { fd = _eventfd.Fd, events = Interop.POLLIN };
                fds[1] = new Interop.PollFd { fd = _wake.Fd, events = Interop.POLLIN };
                var ready = Interop.poll(fds, 2, RemainingMilliseconds(timeout, started));
                if (ready < 0)
                {
                    if (Interop.LastErrno == Errno.EINTR)
                    {
                        continue;
                    }

                    Interop.ThrowForLastError("poll on the interrupt eventfd");
                }

                if (ready == 0 || _disposed || cancellationToken.IsCancellationRequested || (fds[1].revents & Interop.POLLIN) != 0)
                {
                    return 0;
                }

                if ((fds[0].revents & (Interop.POLLERR | Interop.POLLHUP | Interop.POLLNVAL)) != 0)
                {
                    throw VfioErrors.FromErrno(Errno.EIO, "poll on the interrupt eventfd", $"revents 0x{fds[0].revents:x}");
                }

                pending = Drain(_eventfd.Fd);
                if (pending > 0)
                {
                    return pending;
                }
            }
        }
        finally
        {
            // Disposing waits for a running callback, so no wake-up signal can land after the drain below.
            registration.Dispose();
            if (wakeAdded)
            {
                Drain(_wake.Fd);
                _wake.DangerousRelease();
            }

            if (eventfdAdded)
            {
                _eventfd.DangerousRelease();
            }
        }
    }

    /// <inheritdoc />
    public long TryConsume()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        var added = false;
        try
        {
            _eventfd.DangerousAddRef(ref added);
            return Drain(_eventfd.Fd);
        }
        finally
        {
            if (added)
            {
                _eventfd.DangerousRelease();
            }
        }
    }

    /// <summary>Adds <paramref name="count"/> to the interrupt counter, as the kernel does on each MSI (for tests and loopback).</summary>
    internal void Signal(ulong count = 1) => Add(_eventfd, count, "write to the interrupt eventfd");

    /// <inheritdoc />
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            Wake();
        }
        catch (VfioException)
        {
            // Nobody can be waiting on a descriptor that can no longer be written.
        }

        _eventfd.Dispose();
        _wake.Dispose();
    }

    private static SafeFdHandle CreateEventfd()
    {
        var handle = Interop.eventfd(0, Interop.EFD_CLOEXEC | Interop.EFD_NONBLOCK);
        if (handle.IsInvalid)
        {
            var errno = Interop.LastErrno;
            handle.Dispose();
            throw VfioErrors.FromErrno(errno, "eventfd(0, EFD_CLOEXEC|EFD_NONBLOCK)");
        }

        return handle;
    }

    // The caller holds a reference on the descriptor, so the number cannot be closed and reused underneath.
    private static long Drain(int fd)
    {
        ulong value;
        while (true)
        {
            var read = Interop.read(fd, &value, sizeof(ulong));
            if (read == sizeof(ulong))
            {
                return (long)value;
            }

            var errno = Interop.LastErrno;
            if (read < 0 && errno == Errno.EINTR)
            {
                continue;
            }

            if (read < 0 && errno == Errno.EAGAIN)
            {
                return 0;
            }

            throw read < 0
                ? VfioErrors.FromErrno(errno, "read of the interrupt eventfd")
                : VfioErrors.FromErrno(Errno.EIO, "read of the interrupt eventfd", $"read {read} of 8 counter bytes");
        }
    }

    private static void Add(SafeFdHandle handle, ulong count, string operation)
    {
        while (true)
        {
            var written = Interop.write(handle, &count, sizeof(ulong));
            if (written == sizeof(ulong))
            {
                return;
            }

            var errno = Interop.LastErrno;
            if (written < 0 && errno == Errno.EINTR)
            {
                continue;
            }

            // EAGAIN means the counter is saturated: the reader is already due to wake up.
            if (written < 0 && errno == Errno.EAGAIN)
            {
                return;
            }

            throw VfioErrors.FromErrno(written < 0 ? errno : Errno.EIO, operation);
        }
    }

    private static int RemainingMilliseconds(TimeSpan timeout, long started)
    {
        if (timeout == Timeout.InfiniteTimeSpan)
        {
            return -1;
        }

        var left = timeout - Stopwatch.GetElapsedTime(started);
        if (left <= TimeSpan.Zero)
        {
            return 0;
        }

        // Round up so a sub-millisecond remainder sleeps instead of spinning.
        return (int)Math.Min(int.MaxValue, Math.Ceiling(left.TotalMilliseconds));
    }

    private void Wake()
    {
        try
        {
            Add(_wake, 1, "write to the wake-up eventfd");
        }
        catch (ObjectDisposedException)
        {
            // Already closed: no waiter is left to wake.
        }
    }
}
