namespace IsmFabric.Emulation;

/// <summary>The CEC-wide lock: threads of this process by a monitor, other processes by flock(2) on <c>cec.lock</c>.</summary>
/// <remarks>
/// It serialises changes to the shared tables; the kernel drops the flock when a holder dies, so a dead process never
/// keeps it. A thread that holds it may enter again (an IOMMU fault raised while a function is being torn down): only
/// the outermost scope takes and drops the flock, so an inner scope never lets another process in early.
/// </remarks>
internal sealed class CecLock : IDisposable
{
    private readonly Lock _processLock = new();
    private readonly LockFile _file;

    // How deep the holding thread has entered; only read or written while holding _processLock.
    private int _depth;

    internal CecLock(string path) => _file = LockFile.OpenOrCreate(path);

    /// <summary>Blocks until this thread holds the lock; dispose the result to release it.</summary>
    internal Scope Enter()
    {
        _processLock.Enter();
        if (_depth == 0)
        {
            try
            {
                _file.LockExclusive();
            }
            catch
            {
                _processLock.Exit();
                throw;
            }
        }

        _depth++;
        return new Scope(this);
    }

    public void Dispose() => _file.Dispose();

    /// <summary>Releases <see cref="Enter"/> when disposed.</summary>
    internal readonly struct Scope(CecLock owner) : IDisposable
    {
        public void Dispose()
        {
            if (--owner._depth == 0)
            {
                owner._file.Unlock();
            }

            owner._processLock.Exit();
        }
    }
}
