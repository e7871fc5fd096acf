namespace IsmFabric.Ism;

/// <summary>The QUERY_INFO response (spec §2.3); the meaning of the fields comes from their names only.</summary>
/// <param name="Version">Interface version.</param>
/// <param name="MaxLength">max_len.</param>
/// <param name="State">ism_state.</param>
/// <param name="Gid">my_gid.</param>
/// <param name="Sba">IOVA of the registered SBA.</param>
/// <param name="Ieq">IOVA of the registered IEQ.</param>
/// <param name="IeqLength">ieq_len.</param>
/// <param name="DmbsOwned">dmbs_owned.</param>
/// <param name="DmbsUsed">dmbs_used.</param>
/// <param name="VlanRequired">vlan_required.</param>
/// <param name="VlanIds">The VLAN ids (vlan_nr_ids of vlan_id[64]).</param>
public sealed record IsmQueryInfo(
    uint Version, uint MaxLength, ulong State, Gid Gid, ulong Sba, ulong Ieq, uint IeqLength, uint DmbsOwned,
    uint DmbsUsed, bool VlanRequired, IReadOnlyList<ushort> VlanIds);
