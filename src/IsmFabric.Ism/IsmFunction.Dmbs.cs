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
    /// <remarks>
    /// When the device refuses (a well-formed non-zero ret) or the command never started, the slot and the memory go
    /// back. When it answers something malformed, or its answer cannot be loaded, it may hold the DMB all the same:
    /// then the buffer and the slot are quarantined (<see cref="Quarantined"/>), never unmapped under the device.
    /// </remarks>
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
            var ret = Commands.Execute(IsmCommandCode.RegDmb, body, token, 16, out var failure, out var started);
            if (ret == IsmCommandException.IsmError && started)
            {
                throw new IsmProtocolException(
                    $"{Name}: {IsmCommandCode.RegDmb} was stored but its answer could not be loaded ({failure?.Message}); the device may hold the DMB");
            }

            if (ret != 0)
            {
                throw new IsmCommandException(Name, IsmCommandCode.RegDmb, ret, failure);
            }

            var dmb = new Dmb(new DmbToken(BinaryPrimitives.ReadUInt64BigEndian(token)), slot, length, remoteGid, vlan, buffer);
            if (!dmb.Token.IsWellFormed)
            {
                throw new IsmProtocolException($"{Name}: REG_DMB answered token {dmb.Token}, which a move address cannot carry (bits 0..31 must be clear, below bit 48)");
            }

            _slots.Fill(slot, dmb);
            _logger.LogDebug("ISM function {Device}: registered {Dmb}", Name, dmb);
            return dmb;
        }
        catch (IsmProtocolException e) when (buffer is not null)
        {
            // The device may hold the buffer and may signal the slot: keep both, for good.
            var entry = new QuarantinedDmb(slot, buffer.Iova, length, remoteGid, e.Message);
            _quarantine.Hold(entry, buffer);
            _logger.LogError(
                "ISM function {Device}: REG_DMB for slot {Slot} ({Length} bytes at IOVA 0x{Iova:x}) failed with an answer the driver cannot trust; the buffer and the slot are quarantined ({Quarantined} now): {Reason}",
                Name, slot, length, buffer.Iova, _quarantine.Entries.Count, e.Message);
            throw;
        }
        catch
        {
            _slots.Release(slot);
            buffer?.Dispose(); // REG_DMB was refused or never reached the device: it does not hold the buffer
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
            _logger.LogWarning(
                "ISM function {Device}: {Command} of {Dmb} answered ret 0x{Ret:x4}; the DMB stays registered and its memory mapped",
                Name, IsmCommandCode.UnregDmb, dmb, ret);
            throw new IsmCommandException(Name, IsmCommandCode.UnregDmb, ret, failure);
        }

        if (ret == IsmCommandException.IsmError)
        {
            // Spec §2.4: ISM_ERROR counts as done (the device forgot the DMB or is gone), as in the kernel; say why.
            _logger.LogWarning(
                "ISM function {Device}: {Command} of {Dmb} answered ISM_ERROR ({Cause}); counted as done",
                Name, IsmCommandCode.UnregDmb, dmb, failure?.Message ?? "the device answered 0xffff");
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
