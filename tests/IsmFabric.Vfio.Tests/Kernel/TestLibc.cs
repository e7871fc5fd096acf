using System.Runtime.InteropServices;

namespace IsmFabric.Vfio.Tests;

/// <summary>libc calls the fake kernel needs to act like the real one on descriptors it does not own.</summary>
internal static unsafe partial class TestLibc
{
    /// <summary>Adds to an eventfd's counter, as the kernel does when an MSI fires.</summary>
    public static void SignalEventfd(int fd, ulong count = 1)
    {
        if (Write(fd, &count, sizeof(ulong)) != sizeof(ulong))
        {
            throw new InvalidOperationException($"write to eventfd {fd} failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "write", SetLastError = true)]
    private static partial nint Write(int fd, void* buffer, nuint count);
}
