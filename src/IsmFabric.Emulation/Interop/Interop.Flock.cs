using System.Runtime.InteropServices;

namespace IsmFabric.Emulation;

internal static partial class Interop
{
    internal const int LOCK_SH = 1;
    internal const int LOCK_EX = 2;
    internal const int LOCK_NB = 4;
    internal const int LOCK_UN = 8;
    internal const int EWOULDBLOCK = 11;

    /// <summary>flock(2): advisory whole-file locks that the kernel drops when the holder dies, which is what makes a SIGKILL repairable.</summary>
    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    internal static partial int Flock(int fd, int operation);
}
