using System.Buffers.Binary;
using IsmFabric.Vfio;
using Microsoft.Extensions.Logging;

namespace IsmFabric.Ism;

// Bring-up and shutdown in the order of spec §3.6: what the device is given (SBA, IEQ, MSI) and how it is taken back.
public sealed partial class IsmFunction
{
    // Whether the device may hold the SBA / IEQ page: from the store of its registration on, until an UNREG that
    // counts as done, or a registration the device refused (or never saw).
    private bool _sbaHeld;
    private bool _ieqHeld;

    /// <summary>
    /// Probe order of spec §3.6: MSI, REG_SBA, REG_IEQ, QUERY_INFO (failure ignored), READ_GID. On failure what was
    /// done is undone and the exception says which step failed.
    /// </summary>
    public void BringUp()
    {
        if (IsUp)
        {
            throw new InvalidOperationException($"{Name} is already up");
        }

        var info = _device.GetInfo();
        MaxStoreBlock = info.ZpciGroup is { Version: >= 2, Imaxstbl: > 0 } g ? Math.Min((int)g.Imaxstbl, PageSize) : PageSize;
        Chid = new Chid(info.ZpciBase?.Pchid ?? 0);
        Pnetid = info.ZpciUtil is { } util ? DecodePnetid(util.UtilString) : "";
        _bar0 = new VfioRegion(_device, VfioPciRegion.Bar0);
        var bar2 = new VfioRegion(_device, VfioPciRegion.Bar2);
        if (!_bar0.Info.IsPresent || !bar2.Info.IsPresent)
        {
            throw new IsmException($"{Name}: BAR0 or BAR2 is absent; this is not an ISM function");
        }

        _commands = new IsmCommandChannel(bar2, Name);
        EnableMemoryAndBusMaster();
        try
        {
            _interrupts = _device.EnableMsi();
            _sba = new SbaScanner(_device.AllocateDma(PageSize), _slots);
            RegisterQueue(IsmCommandCode.RegSba, Be64(_sba.Iova), ref _sbaHeld);

            // A new reader starts before the first entry, as the kernel's ieq_idx = -1 after REG_IEQ.
            _ieq = new IeqReader(_device.AllocateDma(PageSize), AnswerIfTestLink);
            Span<byte> ieqBody = stackalloc byte[16];
            BinaryPrimitives.WriteUInt64BigEndian(ieqBody, _ieq.Iova);
            BinaryPrimitives.WriteUInt64BigEndian(ieqBody[8..], IeqLength);
            RegisterQueue(IsmCommandCode.RegIeq, ieqBody, ref _ieqHeld);
            InfoAtBringUp = TryQueryInfo();
            Span<byte> gid = stackalloc byte[8];
            Run(IsmCommandCode.ReadGid, [], gid, 16);
            Gid = new Gid(BinaryPrimitives.ReadUInt64BigEndian(gid));
            IsUp = true;
            _logger.LogInformation(
                "ISM function {Device} up: GID {Gid}, CHID {Chid}, PNETID {Pnetid}, imaxstbl {MaxStoreBlock}",
                Name, Gid, Chid, Pnetid, MaxStoreBlock);
        }
        catch
        {
            ReleaseQueues(bestEffort: true);
            throw;
        }
    }

    private string DecodePnetid(byte[] utilString)
    {
        try
        {
            return PnetId.Decode(utilString)[0];
        }
        catch (FormatException e)
        {
            _logger.LogWarning("ISM function {Device}: the utility string holds no readable PNETID ({Problem})", Name, e.Message);
            return "";
        }
    }

    private void EnableMemoryAndBusMaster()
    {
        var config = new VfioRegion(_device, VfioPciRegion.Config);
        Span<byte> command = stackalloc byte[2];
        config.Read(4, command);
        var value = (ushort)(BinaryPrimitives.ReadUInt16LittleEndian(command) | 0x0006); // memory space, bus master
        BinaryPrimitives.WriteUInt16LittleEndian(command, value);
        config.Write(4, command);
    }

    /// <summary>
    /// Exit order of spec §3.6: every DMB unregistered (then freed), UNREG_IEQ, UNREG_SBA, MSI off, then the SBA and
    /// IEQ pages freed; memory the device may still use (an unregistration that failed) is kept, never unmapped.
    /// </summary>
    public void Shutdown()
    {
        if (!IsUp)
        {
            return;
        }

        foreach (var dmb in Dmbs)
        {
            try
            {
                UnregisterDmb(dmb);
            }
            catch (IsmException e)
            {
                _logger.LogWarning(e, "ISM function {Device}: {Dmb} could not be unregistered; its memory stays mapped", Name, dmb);
            }
        }

        ReleaseQueues(bestEffort: false);
        IsUp = false;
        _logger.LogInformation("ISM function {Device} down", Name);
    }

    /// <summary>
    /// REG_SBA or REG_IEQ. <paramref name="held"/> says afterwards whether the device may hold the page: yes once it
    /// was accepted, or when the answer could not be loaded; no when the device refused it or never saw the command.
    /// </summary>
    private void RegisterQueue(IsmCommandCode code, ReadOnlySpan<byte> body, ref bool held)
    {
        held = true; // a malformed answer (IsmProtocolException) leaves it so: the device may have taken the page
        var ret = Commands.Execute(code, body, [], 8, out var failure, out var started);
        if (ret == 0)
        {
            return;
        }

        held = ret == IsmCommandException.IsmError && started;
        throw new IsmCommandException(Name, code, ret, failure);
    }

    /// <summary>
    /// Takes the IEQ and SBA back (UNREG_IEQ, UNREG_SBA), turns MSI off and frees each page the device no longer
    /// holds: a page it refused or never saw goes back at once; a page whose UNREG failed stays mapped.
    /// </summary>
    private void ReleaseQueues(bool bestEffort)
    {
        var ieqDone = _ieq is null || !_ieqHeld || UnregisterQueue(IsmCommandCode.UnregIeq, bestEffort);
        var sbaDone = _sba is null || !_sbaHeld || UnregisterQueue(IsmCommandCode.UnregSba, bestEffort);
        try
        {
            _device.DisableMsi();
        }
        catch (VfioException e)
        {
            _logger.LogWarning(e, "ISM function {Device}: disabling MSI failed", Name);
        }

        _interrupts = null;

        // Unregister before unmap: a page the device may still write into is never handed back.
        if (ieqDone)
        {
            _ieq?.Dispose();
            _ieq = null;
            _ieqHeld = false;
        }

        if (sbaDone)
        {
            _sba?.Dispose();
            _sba = null;
            _sbaHeld = false;
        }
    }

    private bool UnregisterQueue(IsmCommandCode code, bool bestEffort)
    {
        if (_commands is null)
        {
            return true;
        }

        var ret = _commands.Execute(code, [], [], 8, out var failure);

        // Spec §2.4: 0 or ISM_ERROR count as done (the device forgot it or is gone); anything else keeps the memory.
        if (ret == 0)
        {
            return true;
        }

        var context = bestEffort ? "undoing a failed bring-up" : "shutting down";
        if (ret == IsmCommandException.IsmError)
        {
            _logger.LogWarning(
                "ISM function {Device}: {Command} answered ISM_ERROR while {Context} ({Cause}); counted as done",
                Name, code, context, failure?.Message ?? "the device answered 0xffff");
            return true;
        }

        _logger.LogWarning(
            "ISM function {Device}: {Command} answered ret 0x{Ret:x4} while {Context}; the page stays mapped, as the device may still write it",
            Name, code, ret, context);
        return false;
    }
}
