using System.Runtime.InteropServices;

namespace IsmFabric.Cli;

/// <summary>kill(2), to stop node processes the way systemd does (SIGTERM), which Process.Kill (SIGKILL) cannot.</summary>
internal static partial class Interop
{
    internal const int SIGTERM = 15;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    internal static partial int Kill(int pid, int signal);
}
