namespace IsmFabric.Vfio;

/// <summary>
/// Walks the capability chain that follows a VFIO info struct (device, region or IOMMU info): headers
/// <c>{id u16, version u16, next u32}</c> where <c>next</c> is an offset from the start of the buffer and 0 ends
/// the chain.
/// </summary>
internal static class VfioCapabilityChain
{
    /// <summary>Size of struct vfio_info_cap_header.</summary>
    internal const int HeaderSize = 8;

    /// <summary>
    /// Returns the chain's capabilities in chain order. <paramref name="headerEnd"/> is the end of the info struct's
    /// fixed fields; a capability inside it, past the buffer, or visited twice is a <see cref="VfioFormatException"/>.
    /// </summary>
    internal static List<VfioCapability> Walk(ReadOnlySpan<byte> buffer, uint firstOffset, int headerEnd, bool bigEndian, string chainName)
    {
        var capabilities = Walk(buffer, firstOffset, headerEnd, bigEndian, chainName, out var error);
        return error is null ? capabilities : throw error;
    }

    /// <summary>
    /// Like <see cref="Walk(ReadOnlySpan{byte}, uint, int, bool, string)"/>, but returns the capabilities read before
    /// the chain went wrong together with the error, so a caller can first report a truncated capability by name.
    /// </summary>
    internal static List<VfioCapability> Walk(
        ReadOnlySpan<byte> buffer, uint firstOffset, int headerEnd, bool bigEndian, string chainName, out VfioFormatException? error)
    {
        error = null;
        var capabilities = new List<VfioCapability>();
        var visited = new HashSet<uint>();

        // Each capability occupies at least a header, so a well-formed chain has at most this many links.
        var maxSteps = (buffer.Length / HeaderSize) + 1;
        var offset = firstOffset;
        while (offset != 0)
        {
            if (!visited.Add(offset) || capabilities.Count >= maxSteps)
            {
                error = new VfioFormatException(chainName, $"the capability chain loops back to offset {offset}");
                break;
            }

            if (offset < (uint)headerEnd)
            {
                error = new VfioFormatException(chainName, $"capability at offset {offset} overlaps the {headerEnd}-byte info header");
                break;
            }

            if (offset > (uint)(buffer.Length - HeaderSize))
            {
                error = new VfioFormatException(
                    chainName,
                    $"capability header at offset {offset} runs past the end of the {buffer.Length}-byte buffer");
                break;
            }

            var at = (int)offset;
            var id = ByteOrder.U16(buffer, at, bigEndian);
            var version = ByteOrder.U16(buffer, at + 2, bigEndian);
            var next = ByteOrder.U32(buffer, at + 4, bigEndian);

            // The kernel lays capabilities out in increasing order; a backward link still gets the rest of the buffer.
            var length = next > offset && next <= (uint)buffer.Length ? (int)(next - offset) : buffer.Length - at;
            capabilities.Add(new VfioCapability(id, version, at, length));
            offset = next;
        }

        return capabilities;
    }
}
