namespace IsmFabric.Ism;

/// <summary>The CHID (fabric id, zPCI pchid) of an ISM function: functions on different CHIDs cannot reach each other.</summary>
/// <param name="Value">The raw 16-bit CHID.</param>
public readonly record struct Chid(ushort Value)
{
    /// <summary>True for the ranges SMC reserves for virtio-ism (0xFF00..0xFFFE) and loopback (0xFFFF).</summary>
    public bool IsReserved => Value >= 0xFF00;

    /// <summary>"0x" and 4 hex digits.</summary>
    public override string ToString() => $"0x{Value:x4}";
}
