using System.Runtime.InteropServices;

namespace IsmFabric.Vfio;

internal static partial class Interop
{
    /// <summary>struct pollfd from poll.h (renamed: C# reserves all-lowercase type names).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 8)]
    internal struct PollFd
    {
        [FieldOffset(0)] internal int fd;
        [FieldOffset(4)] internal short events;
        [FieldOffset(6)] internal short revents;
    }
}
