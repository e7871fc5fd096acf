using System.Runtime.InteropServices;

namespace IsmFabric.Cli;

/// <summary>futex(2) through syscall(2), for the shared-memory ring the channel benchmark measures itself against.</summary>
internal static partial class Interop
{
    // Shared (not FUTEX_PRIVATE_FLAG) operations: the word lives in a file mapping two processes share.
    internal const int FUTEX_WAIT = 0;
    internal const int FUTEX_WAKE = 1;

    /// <summary>struct timespec: the relative timeout of FUTEX_WAIT.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        internal long tv_sec;
        internal long tv_nsec;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long syscall(long number, int* uaddr, int futex_op, int val, Timespec* timeout, int* uaddr2, int val3);

    private static long SYS_futex => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        Architecture.S390x => 238,
        Architecture.Ppc64le => 221,
        _ => throw new PlatformNotSupportedException($"the futex syscall number of {RuntimeInformation.ProcessArchitecture} is not known"),
    };

    /// <summary>FUTEX_WAIT: sleeps while *<paramref name="uaddr"/> == <paramref name="expected"/>, at most <paramref name="timeout"/>; returns 0 or the errno (EAGAIN, EINTR, ETIMEDOUT).</summary>
    internal static unsafe int FutexWait(int* uaddr, int expected, TimeSpan timeout)
    {
        var ts = new Timespec { tv_sec = (long)timeout.TotalSeconds, tv_nsec = timeout.Ticks % TimeSpan.TicksPerSecond * 100 };
        return syscall(SYS_futex, uaddr, FUTEX_WAIT, expected, &ts, null, 0) == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>FUTEX_WAKE: wakes up to <paramref name="count"/> waiters on *<paramref name="uaddr"/>.</summary>
    internal static unsafe void FutexWake(int* uaddr, int count) => syscall(SYS_futex, uaddr, FUTEX_WAKE, count, null, null, 0);
}
