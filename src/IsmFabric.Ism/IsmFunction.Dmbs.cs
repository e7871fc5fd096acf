using System.Buffers.Binary;
using IsmFabric.Vfio;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Ism;

// DMB registration (spec §3.1): a slot from the DmbSlotTable, memory from the device, then REG_DMB / UNREG_DMB.
public sealed partial class IsmFunction
{
    /// <summary>
    /// Registers a DMB of <paramref name="length"/> bytes that only <paramref name="remoteGid"/> may write into. The
    /// slot is the next free one in 32..1919 unless <paramref name="sbaIndex"/> asks for one.
    /// </summary>
    public Dmb RegisterDmb(int length, Gid remoteGid, int? sbaIndex = null, ushort? vlan = null)
    {
        if (length <= 0 || ((length + PageSize - 1) & ~(PageSize - 1)) > MaxDmbLength)
        {
            throw new ArgumentOutOfRangeException(nameof(length), length, "a DMB is 1 byte .. 1 MiB");
        }

        var slot = _slots.Reserve(sbaIndex);
        DmaBuffer? buffer = null;
        try
        {
            buffer = _device.AllocateDma(length);
            Span<byte> body = stackalloc byte[32];
            BinaryPrimitives.WriteUInt64BigEndian(body, buffer.Iova);
            BinaryPrimitives.WriteUInt32BigEndian(body[8..], (uint)length);
            BinaryPrimitives.WriteUInt32BigEndian(body[12..], (uint)slot);
            BinaryPrimitives.WriteUInt32BigEndian(body[16..], vlan.HasValue ? 1u : 0u);
            BinaryPrimitives.WriteUInt32BigEndian(body[20..], vlan ?? 0);
            BinaryPrimitives.WriteUInt64BigEndian(body[24..], remoteGid.Value);
            Span<byte> token = stackalloc byte[8];
            Run(IsmCommandCode.RegDmb, body, token, 16);
            var dmb = new Dmb(new DmbToken(BinaryPrimitives.ReadUInt64BigEndian(token)), slot, length, remoteGid, vlan, buffer);
            if (!dmb.Token.IsWellFormed)
            {
                throw new IsmProtocolException($"{Name}: REG_DMB answered token {dmb.Token}, which a move address cannot carry (bits 0..31 must be clear, below bit 48)");
            }

            _slots.Fill(slot, dmb);
            _logger.LogDebug("ISM function {Device}: registered {Dmb}", Name, dmb);
            return dmb;
        }
        catch
        {
            _slots.Release(slot);
            buffer?.Dispose(); // REG_DMB failed: the device never saw the buffer
            throw;
        }
    }

    /// <summary>UNREG_DMB, then frees the memory; ret 0 or ISM_ERROR count as done, anything else keeps the DMB.</summary>
    public void UnregisterDmb(Dmb dmb) => UnregisterDmb(dmb, keepMemory: false);

    /// <summary>
    /// UNREG_DMB; then frees the memory unless <paramref name="keepMemory"/> (a reader in this process may still look at
    /// it: the device no longer writes it, and the mapping stays until the process ends).
    /// </summary>
    public void UnregisterDmb(Dmb dmb, bool keepMemory)
    {
        ArgumentNullException.ThrowIfNull(dmb);
        if (!dmb.IsRegistered)
        {
            return;
        }

        var ret = Commands.Execute(IsmCommandCode.UnregDmb, Be64(dmb.Token.Value), [], 8, out var failure);
        if (ret is not (0 or IsmCommandException.IsmError))
        {
            throw new IsmCommandException(Name, IsmCommandCode.UnregDmb, ret, failure);
        }

        dmb.IsRegistered = false;
        _slots.Release(dmb.SbaIndex);
        if (keepMemory)
        {
            _logger.LogWarning("ISM function {Device}: unregistered {Dmb}, its memory kept mapped: a reader still holds it", Name, dmb);
            return;
        }

        dmb.Buffer.Dispose();
        _logger.LogDebug("ISM function {Device}: unregistered {Dmb}", Name, dmb);
    }
}
