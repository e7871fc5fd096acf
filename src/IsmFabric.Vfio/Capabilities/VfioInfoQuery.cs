namespace IsmFabric.Vfio;

/// <summary>
/// Issues an info ioctl whose struct starts with argsz and may be followed by a capability chain: first with
/// argsz = the struct size, then again with the larger argsz the kernel asked for (it bumps argsz and leaves
/// cap_offset 0 when the buffer is too small; that is not an error).
/// </summary>
internal static unsafe class VfioInfoQuery
{
    /// <summary>The largest answer accepted; real chains are a few hundred bytes.</summary>
    internal const int MaxInfoSize = 1 << 20;

    private const int MaxAttempts = 4;

    /// <summary>Returns the full answer, header and capabilities, in a buffer of exactly the size the kernel filled.</summary>
    internal static byte[] Query(IVfioFile file, nuint request, string requestName, int structSize)
    {
        var buffer = new byte[structSize];
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            ByteOrder.U32(buffer, 0, (uint)buffer.Length, ByteOrder.NativeIsBigEndian);
            fixed (byte* p = buffer)
            {
                file.IoctlOrThrow(request, p, requestName);
            }

            var argsz = ByteOrder.U32(buffer, 0, ByteOrder.NativeIsBigEndian);
            if (argsz <= (uint)buffer.Length)
            {
                return buffer;
            }

            if (argsz > MaxInfoSize)
            {
                throw new VfioFormatException(requestName, $"the kernel asked for argsz {argsz}, more than the {MaxInfoSize} bytes accepted");
            }

            buffer = new byte[argsz];
        }

        throw new VfioFormatException(requestName, $"the kernel asked for a larger argsz {MaxAttempts} times in a row");
    }
}
