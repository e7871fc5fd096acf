using System.Runtime.InteropServices;

namespace IsmFabric.Emulation;

internal static partial class Interop
{
    // Shared (not FUTEX_PRIVATE) operations: the futex word lives in a file mapping shared by several processes.
    internal const int FUTEX_WAIT = 0;
    internal const int FUTEX_WAKE = 1;
    internal const int EAGAIN = 11;
    internal const int EINTR = 4;
    internal const int ETIMEDOUT = 110;

    /// <summary>The timespec the futex wait takes (relative timeout).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        internal long Seconds;
        internal long Nanoseconds;
    }

    [LibraryImport("libc", EntryPoint = "syscall", SetLastError = true)]
    private static unsafe partial long SyscallFutex(long number, int* address, int operation, int value, Timespec* timeout, nint address2, int value3);

    private static long FutexSyscallNumber => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => 202,
        Architecture.Arm64 => 98,
        Architecture.S390x => 238,
        Architecture.Ppc64le => 221,
        _ => throw new PlatformNotSupportedException($"futex syscall number unknown for {RuntimeInformation.ProcessArchitecture}"),
    };

    /// <summary>FUTEX_WAIT: sleeps while *address == expected, at most <paramref name="timeout"/>. Returns 0 or an errno.</summary>
    internal static unsafe int FutexWait(int* address, int expected, TimeSpan timeout)
    {
        var ts = new Timespec
        {
            Seconds = (long)timeout.TotalSeconds,
            Nanoseconds = (timeout.Ticks % TimeSpan.TicksPerSecond) * 100,
        };
        var rc = SyscallFutex(FutexSyscallNumber, address, FUTEX_WAIT, expected, &ts, 0, 0);
        return rc == 0 ? 0 : Marshal.GetLastPInvokeError();
    }

    /// <summary>FUTEX_WAKE: wakes up to <paramref name="count"/> waiters on the word.</summary>
    internal static unsafe void FutexWake(int* address, int count)
    {
        SyscallFutex(FutexSyscallNumber, address, FUTEX_WAKE, count, null, 0, 0);
    }
}
