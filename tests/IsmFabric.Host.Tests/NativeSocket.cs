using System.Runtime.InteropServices;

namespace IsmFabric.Host.Tests;

/// <summary>Raw libc sockets, to leave behind the socket file a killed process leaves (System.Net.Sockets cleans up).</summary>
internal static partial class NativeSocket
{
    [LibraryImport("libc", EntryPoint = "socket", SetLastError = true)]
    internal static partial int Socket(int domain, int type, int protocol);

    [LibraryImport("libc", EntryPoint = "bind", SetLastError = true)]
    internal static partial int Bind(int fd, byte[] address, int length);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    internal static partial int Close(int fd);
}
