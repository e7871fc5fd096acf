using System.Runtime.InteropServices;

namespace IsmFabric.Emulation;

internal static partial class Interop
{
    internal const int ESRCH = 3;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    /// <summary>kill(pid, 0): true while a process with that pid exists.</summary>
    internal static bool ProcessExists(int pid) =>
        pid > 0 && (Kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() != ESRCH);
}
