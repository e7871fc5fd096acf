namespace IsmFabric.Ism;

/// <summary>The 64-bit info of an SMC-D test-link event: link-group id, VLAN id, request (1) or response (2) (spec §3.4).</summary>
/// <param name="LinkGroupId">Bytes 0..3.</param>
/// <param name="VlanId">Bytes 4..5.</param>
/// <param name="Code">Bytes 6..7: 1 request, 2 response.</param>
public readonly record struct TestLinkInfo(uint LinkGroupId, ushort VlanId, ushort Code)
{
    /// <summary>A test-link request.</summary>
    public const ushort Request = 1;

    /// <summary>A test-link response.</summary>
    public const ushort Response = 2;

    /// <summary>Decodes the big-endian layout.</summary>
    public static TestLinkInfo Decode(ulong info) => new((uint)(info >> 32), (ushort)(info >> 16), (ushort)info);

    /// <summary>Encodes the big-endian layout.</summary>
    public ulong Encode() => ((ulong)LinkGroupId << 32) | ((ulong)VlanId << 16) | Code;
}
