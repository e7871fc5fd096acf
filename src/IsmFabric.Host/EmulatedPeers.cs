using IsmFabric.Emulation;
using IsmFabric.Fabric;

namespace IsmFabric.Host;

/// <summary>The default peers of an emulated LPAR: every other LPAR of its CEC, with the GIDs of all its functions.</summary>
public static class EmulatedPeers
{
    /// <summary>The peers of <paramref name="lpar"/> in <paramref name="cec"/> (LPARs without functions are left out).</summary>
    public static IReadOnlyList<PeerDefinition> Of(CecDefinition cec, string lpar)
    {
        ArgumentNullException.ThrowIfNull(cec);
        return cec.Lpars
            .Where(l => l.Name != lpar)
            .Select(l => new PeerDefinition(l.Name, cec.Functions.Where(f => f.Lpar == l.Name).Select(f => f.Gid).ToList()))
            .Where(p => p.Gids.Count > 0)
            .ToList();
    }
}
