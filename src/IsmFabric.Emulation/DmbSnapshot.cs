namespace IsmFabric.Emulation;

/// <summary>A registered DMB in a <see cref="CecSnapshot"/>.</summary>
/// <param name="Token">Its token.</param>
/// <param name="OwnerFid">The function that registered it.</param>
/// <param name="OwnerLpar">The LPAR owning that function.</param>
/// <param name="OwnerGid">The owner's GID.</param>
/// <param name="Rgid">The only GID allowed to write into it.</param>
/// <param name="Length">Its length in bytes.</param>
/// <param name="SbaIndex">Its slot in the owner's SBA.</param>
/// <param name="Vlan">Its VLAN, when tagged.</param>
/// <param name="RegisteredAt">When it was registered.</param>
public sealed record DmbSnapshot(
    ulong Token, uint OwnerFid, string OwnerLpar, ulong OwnerGid, ulong Rgid, int Length, int SbaIndex, ushort? Vlan,
    DateTimeOffset RegisteredAt);
