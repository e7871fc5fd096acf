using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>POLLIN from poll.h.</summary>
    internal const short POLLIN = 0x1;

    /// <summary>POLLERR from poll.h.</summary>
    internal const short POLLERR = 0x8;

    /// <summary>POLLHUP from poll.h.</summary>
    internal const short POLLHUP = 0x10;

    /// <summary>POLLNVAL from poll.h.</summary>
    internal const short POLLNVAL = 0x20;

    [LibraryImport(Libraries.Libc, EntryPoint = "poll", SetLastError = true)]
    internal static unsafe partial int poll(PollFd* fds, nuint nfds, int timeout);
}
