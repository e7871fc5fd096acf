using System.IO.MemoryMappedFiles;

namespace IsmFabric.Cli.Bench;

/// <summary>
/// The baseline of the channel throughput: a single-producer, single-consumer ring of variable-size messages in a
/// shared-memory file that two plain processes map. The producer copies each message in, the consumer copies each
/// out; a side sleeps on a futex only when the ring is full (producer) or empty (consumer, after the same short spin
/// as a channel's reader), having said so in a word the other side looks at when it moves its cursor. One cursor store
/// per message, as a channel with one sender.
/// </summary>
internal sealed unsafe class SharedRing : IDisposable
{
    /// <summary>Bytes of message data the ring holds (a channel's DMB is as large).</summary>
    internal const int Capacity = 1 << 20;

    /// <summary>A marker the consumer hands back instead of a length: the producer ended a measuring phase.</summary>
    internal const int Phase = -2;

    /// <summary>A marker the consumer hands back instead of a length: the producer is done.</summary>
    internal const int End = -3;

    /// <summary>A record that says: the rest of the ring up to its end is unused, continue at its start.</summary>
    private const int Wrap = -1;

    // The cursors and the two sleep words on cache lines of their own; the data from the next page.
    private const int HeadOffset = 0;
    private const int TailOffset = 64;
    private const int ConsumerSleepsOffset = 128;
    private const int ProducerSleepsOffset = 192;
    private const int DataOffset = 4096;
    private const int FileLength = DataOffset + Capacity;
    private const int RecordHeader = 8;

    private static readonly TimeSpan SleepSlice = TimeSpan.FromMilliseconds(100);

    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly byte* _base;
    private long _head;
    private long _tail;

    private SharedRing(MemoryMappedFile file)
    {
        _file = file;
        _view = file.CreateViewAccessor(0, FileLength);
        byte* pointer = null;
        _view.SafeMemoryMappedViewHandle.AcquirePointer(ref pointer);
        _base = pointer + _view.PointerOffset;
    }

    /// <summary>Times this side slept on the futex (the ring full for the producer, empty for the consumer).</summary>
    internal long Sleeps { get; private set; }

    private byte* Data => _base + DataOffset;

    private ref long Head => ref *(long*)(_base + HeadOffset);

    private ref long Tail => ref *(long*)(_base + TailOffset);

    /// <summary>Creates the ring file (it must not exist) and maps it; the producer's side.</summary>
    internal static SharedRing Create(string path)
    {
        var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.ReadWrite);
        try
        {
            stream.SetLength(FileLength);
            return new SharedRing(MemoryMappedFile.CreateFromFile(stream, null, FileLength, MemoryMappedFileAccess.ReadWrite, HandleInheritability.None, leaveOpen: false));
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Maps a ring another process created; the consumer's side.</summary>
    internal static SharedRing Open(string path) =>
        new(MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, FileLength, MemoryMappedFileAccess.ReadWrite));

    /// <summary>Copies <paramref name="message"/> into the ring, sleeping while there is no room for it.</summary>
    internal void Write(ReadOnlySpan<byte> message, CancellationToken ct)
    {
        if (message.Length > Capacity / 2)
        {
            throw new ArgumentException($"a ring message is at most {Capacity / 2} bytes (got {message.Length})", nameof(message));
        }

        var at = Reserve(message.Length, ct);
        *(int*)(Data + at) = message.Length;
        message.CopyTo(new Span<byte>(Data + at + RecordHeader, message.Length));
        Publish(message.Length);
    }

    /// <summary>Writes <see cref="Phase"/> or <see cref="End"/>.</summary>
    internal void WriteMarker(int marker, CancellationToken ct)
    {
        var at = Reserve(0, ct);
        *(int*)(Data + at) = marker;
        Publish(0);
    }

    /// <summary>
    /// Copies the next message out into <paramref name="buffer"/> and returns its length, or returns a marker
    /// (<see cref="Phase"/>, <see cref="End"/>); while the ring is empty, spins for <paramref name="spin"/> (as a
    /// channel's reader does, <c>ReadSpin</c>), then sleeps.
    /// </summary>
    internal int Read(Span<byte> buffer, TimeSpan spin, CancellationToken ct)
    {
        while (true)
        {
            if (Volatile.Read(ref Head) == _tail && !SpinForData(spin))
            {
                SleepForData(ct);
                continue;
            }

            var at = (int)(_tail & (Capacity - 1));
            var length = *(int*)(Data + at);
            if (length == Wrap)
            {
                _tail += Capacity - at;
                continue;
            }

            if (length > buffer.Length || length is < 0 and not (Phase or End))
            {
                throw new InvalidDataException($"ring record of length {length} at {at} (buffer {buffer.Length})");
            }

            var payload = Math.Max(length, 0);
            new ReadOnlySpan<byte>(Data + at + RecordHeader, payload).CopyTo(buffer);
            _tail += RecordHeader + Align(payload);
            Volatile.Write(ref Tail, _tail);
            WakeIfSleeping(ProducerSleepsOffset);
            return length;
        }
    }

    /// <summary>Waits for room for a record of <paramref name="length"/> bytes; returns its offset (a wrap record written before it if needed).</summary>
    private int Reserve(int length, CancellationToken ct)
    {
        var need = RecordHeader + Align(length);
        var at = (int)(_head & (Capacity - 1));
        var contiguous = Capacity - at;
        var total = contiguous < need ? contiguous + need : need;
        while (Capacity - (_head - Volatile.Read(ref Tail)) < total)
        {
            SleepForSpace(total, ct);
        }

        if (contiguous < need)
        {
            *(int*)(Data + at) = Wrap;
            _head += contiguous;
            at = 0;
        }

        return at;
    }

    private void Publish(int length)
    {
        _head += RecordHeader + Align(length);
        Volatile.Write(ref Head, _head);
        WakeIfSleeping(ConsumerSleepsOffset);
    }

    /// <summary>True once the producer moved within <paramref name="spin"/>.</summary>
    private bool SpinForData(TimeSpan spin)
    {
        if (spin <= TimeSpan.Zero)
        {
            return false;
        }

        var spinner = default(SpinWait);
        var deadline = System.Diagnostics.Stopwatch.GetTimestamp() + (long)(spin.TotalSeconds * System.Diagnostics.Stopwatch.Frequency);
        do
        {
            spinner.SpinOnce(sleep1Threshold: -1);
            if (Volatile.Read(ref Head) != _tail)
            {
                return true;
            }
        }
        while (System.Diagnostics.Stopwatch.GetTimestamp() < deadline);
        return false;
    }

    private void SleepForData(CancellationToken ct)
    {
        var word = SayAsleep(ConsumerSleepsOffset);
        if (Volatile.Read(ref Head) == _tail)
        {
            Sleep(word, ct);
        }

        Volatile.Write(ref *word, 0);
    }

    private void SleepForSpace(int total, CancellationToken ct)
    {
        var word = SayAsleep(ProducerSleepsOffset);
        if (Capacity - (_head - Volatile.Read(ref Tail)) < total)
        {
            Sleep(word, ct);
        }

        Volatile.Write(ref *word, 0);
    }

    /// <summary>Sets our sleep word; the caller then looks at the other side's cursor once more before sleeping.</summary>
    private int* SayAsleep(int offset)
    {
        var word = (int*)(_base + offset);
        Volatile.Write(ref *word, 1);
        Interlocked.MemoryBarrier(); // our word before their cursor (the other side: its cursor before our word)
        return word;
    }

    private void Sleep(int* word, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        Sleeps++;
        Interop.FutexWait(word, 1, SleepSlice);
    }

    private void WakeIfSleeping(int offset)
    {
        var word = (int*)(_base + offset);
        Interlocked.MemoryBarrier(); // our cursor before their word
        if (Volatile.Read(ref *word) != 0 && Interlocked.Exchange(ref *word, 0) != 0)
        {
            Interop.FutexWake(word, 1);
        }
    }

    private static int Align(int length) => (length + 7) & ~7;

    public void Dispose()
    {
        _view.SafeMemoryMappedViewHandle.ReleasePointer();
        _view.Dispose();
        _file.Dispose();
    }
}
