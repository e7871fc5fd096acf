using System.Diagnostics;
using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>The CEC-wide lock: threads of this process by a monitor, other processes by flock(2) on <c>cec.lock</c>.</summary>
/// <remarks>
/// It serialises changes to the shared tables. Nobody waits for it longer than <see cref="MaxWait"/>: a holder that was
/// stopped (SIGSTOP, a debugger) makes the others' commands fail with <see cref="CecBusyException"/>, never hang. The
/// kernel drops the flock when a holder dies; the holder's pid stays in the header, so the next holder knows that the
/// tables may be half-written and has them repaired before it goes on.
/// </remarks>
internal sealed unsafe class CecLock : IDisposable
{
    /// <summary>The longest any caller waits for the lock.</summary>
    internal static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(2);

    private readonly Lock _processLock = new();
    private readonly LockFile _file;
    private readonly byte* _header;
    private Action? _repairAbandoned;
    private long _longestWaitTicks;

    internal CecLock(string path, byte* header)
    {
        _file = LockFile.OpenOrCreate(path);
        _header = header;
    }

    /// <summary>The longest this process has waited for the lock (acquired or given up).</summary>
    internal TimeSpan LongestWait => Stopwatch.GetElapsedTime(0, Volatile.Read(ref _longestWaitTicks));

    /// <summary>Sets what runs, under the lock, when a holder died inside it.</summary>
    internal void OnAbandoned(Action repair) => _repairAbandoned = repair;

    /// <summary>Blocks until this thread holds the lock, at most <see cref="MaxWait"/>; dispose the result to release it.</summary>
    /// <exception cref="CecBusyException">Another process kept the lock for the whole wait.</exception>
    internal Scope Enter()
    {
        var started = Stopwatch.GetTimestamp();
        if (!_processLock.TryEnter(MaxWait))
        {
            throw Busy(started, "a thread of this process");
        }

        try
        {
            for (var attempt = 0; !_file.TryLockExclusive(); attempt++)
            {
                if (Stopwatch.GetElapsedTime(started) >= MaxWait)
                {
                    var holder = Volatile.Read(ref I32(_header, CecLayout.HLockHolder));
                    throw Busy(started, holder == 0 ? "another process" : $"process {holder}");
                }

                // Holders keep the lock for microseconds; a few yields catch that, then sleep in short steps.
                if (attempt < 16)
                {
                    Thread.Yield();
                }
                else
                {
                    Thread.Sleep(1);
                }
            }
        }
        catch
        {
            _processLock.Exit();
            throw;
        }

        RecordWait(started);
        var previous = Volatile.Read(ref I32(_header, CecLayout.HLockHolder));
        Volatile.Write(ref I32(_header, CecLayout.HLockHolder), Environment.ProcessId);
        if (previous != 0 && _repairAbandoned is { } repair)
        {
            try
            {
                repair();
            }
            catch
            {
                Release();
                throw;
            }
        }

        return new Scope(this);
    }

    public void Dispose() => _file.Dispose();

    private void Release()
    {
        Volatile.Write(ref I32(_header, CecLayout.HLockHolder), 0);
        _file.Unlock();
        _processLock.Exit();
    }

    private CecBusyException Busy(long started, string holder)
    {
        RecordWait(started);
        return new CecBusyException(
            $"the emulated CEC's lock ({_file.Path}) was held by {holder} for the whole {MaxWait.TotalSeconds:0.#} s this command may wait " +
            "(is that process stopped?); nothing was changed, try again");
    }

    private void RecordWait(long started)
    {
        var waited = Stopwatch.GetTimestamp() - started;
        var longest = Volatile.Read(ref _longestWaitTicks);
        while (waited > longest)
        {
            var seen = Interlocked.CompareExchange(ref _longestWaitTicks, waited, longest);
            if (seen == longest)
            {
                return;
            }

            longest = seen;
        }
    }

    /// <summary>Releases <see cref="Enter"/> when disposed.</summary>
    internal readonly struct Scope(CecLock owner) : IDisposable
    {
        public void Dispose() => owner.Release();
    }
}
