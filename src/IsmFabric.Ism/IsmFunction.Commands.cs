using System.Buffers.Binary;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Ism;

// The commands of spec §2.3 that are not part of bring-up or DMB registration: queries, VLANs and SIGNAL_IEQ.
public sealed partial class IsmFunction
{
    /// <summary>READ_GID: the local GID as the device reports it now.</summary>
    public Gid ReadGid()
    {
        Span<byte> gid = stackalloc byte[8];
        Run(IsmCommandCode.ReadGid, [], gid, 16);
        return new Gid(BinaryPrimitives.ReadUInt64BigEndian(gid));
    }

    /// <summary>QUERY_INFO.</summary>
    public IsmQueryInfo QueryInfo()
    {
        var body = new byte[192];
        Run(IsmCommandCode.QueryInfo, [], body, 200);
        var count = (int)Math.Min(BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(60)), 64u);
        var vlans = new ushort[count];
        for (var i = 0; i < count; i++)
        {
            vlans[i] = BinaryPrimitives.ReadUInt16BigEndian(body.AsSpan(64 + (i * 2)));
        }

        return new IsmQueryInfo(
            BinaryPrimitives.ReadUInt32BigEndian(body),
            BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(4)),
            BinaryPrimitives.ReadUInt64BigEndian(body.AsSpan(8)),
            new Gid(BinaryPrimitives.ReadUInt64BigEndian(body.AsSpan(16))),
            BinaryPrimitives.ReadUInt64BigEndian(body.AsSpan(24)),
            BinaryPrimitives.ReadUInt64BigEndian(body.AsSpan(32)),
            BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(40)),
            BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(48)),
            BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(52)),
            BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(56)) != 0,
            vlans);
    }

    private IsmQueryInfo? TryQueryInfo()
    {
        try
        {
            var info = QueryInfo();
            _logger.LogDebug("ISM function {Device} QUERY_INFO: {@Info}", Name, info);
            return info;
        }
        catch (IsmException e)
        {
            _logger.LogDebug(e, "ISM function {Device}: QUERY_INFO failed (ignored, as in the kernel)", Name);
            return null;
        }
    }

    /// <summary>QUERY_RGID: true when <paramref name="remote"/> can be reached (optionally in <paramref name="vlan"/>).</summary>
    public bool QueryRemoteGid(Gid remote, ushort? vlan = null)
    {
        Span<byte> body = stackalloc byte[16];
        BinaryPrimitives.WriteUInt64BigEndian(body, remote.Value);
        BinaryPrimitives.WriteUInt32BigEndian(body[8..], vlan.HasValue ? 1u : 0u);
        BinaryPrimitives.WriteUInt32BigEndian(body[12..], vlan ?? 0);
        var ret = Commands.Execute(IsmCommandCode.QueryRgid, body, [], 8, out var failure);
        return ret switch
        {
            0 => true,
            IsmCommandException.IsmError when failure is not null => throw new IsmCommandException(Name, IsmCommandCode.QueryRgid, ret, failure),
            _ => false,
        };
    }

    /// <summary>ADD_VLAN_ID.</summary>
    public void AddVlan(ushort vlan) => Run(IsmCommandCode.AddVlanId, Be64(vlan));

    /// <summary>DEL_VLAN_ID.</summary>
    public void DeleteVlan(ushort vlan) => Run(IsmCommandCode.DelVlanId, Be64(vlan));

    /// <summary>SET_VLAN (on) or RESET_VLAN (off).</summary>
    public void SetVlanRequired(bool required) => Run(required ? IsmCommandCode.SetVlan : IsmCommandCode.ResetVlan, []);

    /// <summary>SIGNAL_IEQ: posts a software event into the IEQ of <paramref name="target"/>.</summary>
    public void SignalEvent(Gid target, uint eventCode, ulong info, bool triggerInterrupt = true)
    {
        Span<byte> body = stackalloc byte[24];
        BinaryPrimitives.WriteUInt64BigEndian(body, target.Value);
        BinaryPrimitives.WriteUInt32BigEndian(body[8..], triggerInterrupt ? 1u : 0u);
        BinaryPrimitives.WriteUInt32BigEndian(body[12..], eventCode);
        BinaryPrimitives.WriteUInt64BigEndian(body[16..], info);
        Run(IsmCommandCode.SignalIeq, body);
    }
}
