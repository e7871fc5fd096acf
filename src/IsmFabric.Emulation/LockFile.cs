using System.Runtime.InteropServices;

namespace IsmFabric.Emulation;

/// <summary>
/// A file locked with flock(2). The kernel drops the lock when the holder dies, even by SIGKILL, so a lock file
/// both serialises and tells the living from the dead.
/// </summary>
internal sealed class LockFile : IDisposable
{
    private int _fd;

    private LockFile(int fd, string path)
    {
        _fd = fd;
        Path = path;
    }

    internal string Path { get; }

    internal static LockFile OpenOrCreate(string path)
    {
        var fd = Interop.Open(path, Interop.O_RDWR | Interop.O_CREAT | Interop.O_CLOEXEC, 0b110_110_100);
        if (fd < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"cannot open lock file {path}: errno {errno}");
        }

        return new LockFile(fd, path);
    }

    /// <summary>Blocks until the exclusive lock is held.</summary>
    internal void LockExclusive()
    {
        while (Interop.Flock(_fd, Interop.LOCK_EX) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            if (errno != Interop.EINTR)
            {
                throw new IOException($"flock({Path}) failed: errno {errno}");
            }
        }
    }

    /// <summary>Takes the exclusive lock if nobody holds it; false when another open file holds it.</summary>
    internal bool TryLockExclusive()
    {
        if (Interop.Flock(_fd, Interop.LOCK_EX | Interop.LOCK_NB) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno == Interop.EWOULDBLOCK
            ? false
            : throw new IOException($"flock({Path}) failed: errno {errno}");
    }

    internal void Unlock() => Interop.Flock(_fd, Interop.LOCK_UN);

    public void Dispose()
    {
        var fd = Interlocked.Exchange(ref _fd, -1);
        if (fd >= 0)
        {
            Interop.Close(fd);
        }
    }
}
