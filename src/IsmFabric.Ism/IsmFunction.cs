using System.Buffers.Binary;
using IsmFabric.Vfio;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace IsmFabric.Ism;

/// <summary>
/// The ISM driver for one function: bring-up and teardown in the order of spec §3.6, every command, DMB
/// registration with slot allocation, moves split at 4 KiB, interrupt processing (SBA scan, IEQ drain) and answers
/// to test-link requests. The same code runs on a kernel VFIO device and on an emulated one. It starts no threads:
/// the owner waits on <see cref="Interrupts"/> and calls <see cref="ProcessInterrupts(IIsmInterruptHandler)"/>.
/// </summary>
public sealed unsafe class IsmFunction : IDisposable
{
    /// <summary>The first SBA slot a DMB may use (ISM_DMB_BIT_OFFSET).</summary>
    public const int FirstDmbSlot = 32;

    /// <summary>ISM_NR_DMBS: slots are 32..1919.</summary>
    public const int SlotCount = 1920;

    /// <summary>The most DMBs one function holds.</summary>
    public const int MaxDmbs = SlotCount - FirstDmbSlot;

    /// <summary>The largest DMB (the DMA segment limit).</summary>
    public const int MaxDmbLength = 1 << 20;

    /// <summary>The IEQ length the kernel registers: a 32-byte header and 15 entries.</summary>
    public const int IeqLength = 512;

    private const int PageSize = 4096;
    private const int SbaMaskOffset = 256;
    private const int IeqHeaderSize = 32;
    private const int IeqEntrySize = 32;
    private const int IeqEntries = (IeqLength - IeqHeaderSize) / IeqEntrySize;

    private readonly IVfioDevice _device;
    private readonly ILogger _logger;
    private readonly Dictionary<int, Dmb> _slots = [];
    private readonly Lock _lock = new();
    private VfioRegion _bar0;
    private IsmCommandChannel? _commands;
    private DmaBuffer? _sba;
    private DmaBuffer? _ieq;
    private IInterruptSource? _interrupts;
    private long _ieqIndex = -1;
    private int _nextSlot = FirstDmbSlot;

    /// <summary>Wraps <paramref name="device"/>; nothing touches the device until <see cref="BringUp"/>.</summary>
    public IsmFunction(IVfioDevice device, ILogger? logger = null)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The device name (PCI address or emulated function name).</summary>
    public string Name => _device.Name;

    /// <summary>The local GID (READ_GID), known after bring-up.</summary>
    public Gid Gid { get; private set; }

    /// <summary>The CHID from ZPCI BASE.</summary>
    public Chid Chid { get; private set; }

    /// <summary>The PNETID of port 0 from the utility string, empty when none.</summary>
    public string Pnetid { get; private set; } = "";

    /// <summary>The largest store this function accepts (ZPCI GROUP imaxstbl, else 4096).</summary>
    public int MaxStoreBlock { get; private set; } = PageSize;

    /// <summary>The QUERY_INFO answer at bring-up (null when the query failed, which is not fatal).</summary>
    public IsmQueryInfo? InfoAtBringUp { get; private set; }

    /// <summary>True between a successful <see cref="BringUp"/> and <see cref="Shutdown"/>.</summary>
    public bool IsUp { get; private set; }

    /// <summary>The MSI; wait on it, then call <see cref="ProcessInterrupts(IIsmInterruptHandler)"/>.</summary>
    public IInterruptSource Interrupts => _interrupts ?? throw new InvalidOperationException($"{Name} is not up");

    /// <summary>The DMBs currently registered.</summary>
    public IReadOnlyCollection<Dmb> Dmbs
    {
        get
        {
            lock (_lock)
            {
                return [.. _slots.Values];
            }
        }
    }

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
            _sba = _device.AllocateDma(PageSize);
            Run(IsmCommandCode.RegSba, Be64(_sba.Iova));
            _ieq = _device.AllocateDma(PageSize);
            Span<byte> ieqBody = stackalloc byte[16];
            BinaryPrimitives.WriteUInt64BigEndian(ieqBody, _ieq.Iova);
            BinaryPrimitives.WriteUInt64BigEndian(ieqBody[8..], IeqLength);
            Run(IsmCommandCode.RegIeq, ieqBody);
            _ieqIndex = -1;
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

    private void ReleaseQueues(bool bestEffort)
    {
        var ieqDone = _ieq is null || UnregisterQueue(IsmCommandCode.UnregIeq, bestEffort);
        var sbaDone = _sba is null || UnregisterQueue(IsmCommandCode.UnregSba, bestEffort);
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
        }

        if (sbaDone)
        {
            _sba?.Dispose();
            _sba = null;
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
        if (ret is 0 or IsmCommandException.IsmError)
        {
            return true;
        }

        if (!bestEffort)
        {
            _logger.LogWarning("ISM function {Device}: {Command} answered ret 0x{Ret:x4}; the memory stays mapped", Name, code, ret);
        }

        _ = failure;
        return false;
    }

    // ---- commands ------------------------------------------------------------------------------------------------

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

        int slot;
        lock (_lock)
        {
            slot = AllocateSlot(sbaIndex);
        }

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

            lock (_lock)
            {
                _slots[slot] = dmb;
            }

            _logger.LogDebug("ISM function {Device}: registered {Dmb}", Name, dmb);
            return dmb;
        }
        catch
        {
            lock (_lock)
            {
                _slots.Remove(slot);
            }

            buffer?.Dispose(); // REG_DMB failed: the device never saw the buffer
            throw;
        }
    }

    private int AllocateSlot(int? requested)
    {
        if (requested is { } r)
        {
            if (r < FirstDmbSlot || r >= SlotCount)
            {
                throw new ArgumentOutOfRangeException(nameof(requested), r, $"SBA slots are {FirstDmbSlot}..{SlotCount - 1}");
            }

            if (_slots.TryGetValue(r, out var holder))
            {
                throw new ArgumentException($"SBA slot {r} is already in use{(holder is null ? "" : $" by {holder}")}", nameof(requested));
            }

            _slots[r] = null!;
            return r;
        }

        if (_slots.Count >= MaxDmbs)
        {
            throw new IsmDmbLimitException($"{Name}: all {MaxDmbs} DMB slots ({FirstDmbSlot}..{SlotCount - 1}) are in use");
        }

        for (var i = 0; i < MaxDmbs; i++)
        {
            var slot = FirstDmbSlot + ((_nextSlot - FirstDmbSlot + i) % MaxDmbs);
            if (!_slots.ContainsKey(slot))
            {
                _nextSlot = slot + 1 >= SlotCount ? FirstDmbSlot : slot + 1;
                _slots[slot] = null!; // reserved until REG_DMB answers
                return slot;
            }
        }

        throw new IsmDmbLimitException($"{Name}: all {MaxDmbs} DMB slots are in use");
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
        lock (_lock)
        {
            _slots.Remove(dmb.SbaIndex);
        }

        if (keepMemory)
        {
            _logger.LogWarning("ISM function {Device}: unregistered {Dmb}, its memory kept mapped: a reader still holds it", Name, dmb);
            return;
        }

        dmb.Buffer.Dispose();
        _logger.LogDebug("ISM function {Device}: unregistered {Dmb}", Name, dmb);
    }

    // ---- moves ---------------------------------------------------------------------------------------------------

    /// <summary>
    /// Moves <paramref name="data"/> into the remote DMB <paramref name="token"/> at <paramref name="offset"/>: one
    /// store per chunk, chunks never crossing a 4 KiB boundary of the DMB offset nor exceeding imaxstbl, the signal
    /// flag (when asked) only on the last store. A zero-length move issues no store and so does not signal.
    /// </summary>
    public void Move(DmbToken token, int offset, ReadOnlySpan<byte> data, bool signal, int dmbeIndex = 0)
    {
        if (!token.IsWellFormed)
        {
            throw new ArgumentException($"{token} is not a DMB token (bits 0..31 must be clear, below bit 48)", nameof(token));
        }

        if (offset < 0 || (long)offset + data.Length > MaxDmbLength)
        {
            throw new ArgumentOutOfRangeException(nameof(offset), offset, $"offset + length must lie within 1 MiB (length {data.Length})");
        }

        if (dmbeIndex is < 0 or > 15)
        {
            throw new ArgumentOutOfRangeException(nameof(dmbeIndex), dmbeIndex, "DMBE index is 0..15");
        }

        var position = offset;
        var remaining = data;
        while (!remaining.IsEmpty)
        {
            var chunk = Math.Min(Math.Min(remaining.Length, PageSize - (position % PageSize)), MaxStoreBlock);
            var last = chunk == remaining.Length;
            var address = token.Value | ((ulong)(uint)dmbeIndex << 24) | (signal && last ? 1UL << 23 : 0UL) | (uint)position;
            try
            {
                _bar0.Write((long)address, remaining[..chunk]);
            }
            catch (VfioException e)
            {
                throw new IsmMoveException(Name, token, position, chunk, e);
            }

            position += chunk;
            remaining = remaining[chunk..];
        }
    }

    // ---- interrupts ----------------------------------------------------------------------------------------------

    /// <summary>
    /// One pass of the interrupt handler (spec §3.5), collected into a batch (tests, tools). The device's interrupt
    /// thread uses <see cref="ProcessInterrupts(IIsmInterruptHandler)"/>, which builds nothing per interrupt.
    /// </summary>
    public IsmInterruptBatch ProcessInterrupts()
    {
        var collector = new BatchCollector();
        ProcessInterrupts(collector);
        return new IsmInterruptBatch(collector.Signals, collector.Events, collector.Stray, collector.Errors);
    }

    /// <summary>
    /// One pass of the interrupt handler (spec §3.5): clear the summary bit; for every DMB bit set from slot 32,
    /// clear it, take (and zero) its DMBE mask and hand the DMB to <paramref name="handler"/>; then, if the event bit
    /// is set, clear it and drain the IEQ into the handler. Test-link requests are answered here. Safe to call with no
    /// interrupt pending (a poll after a lost interrupt). One thread at a time.
    /// </summary>
    public void ProcessInterrupts(IIsmInterruptHandler handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var sbaBuffer = _sba ?? throw new InvalidOperationException($"{Name} is not up");
        var sba = (byte*)sbaBuffer.Address;

        AtomicAndNotByte(sba, 0x80);
        for (var wordOffset = 8; wordOffset < 4 + (SlotCount / 8); wordOffset += 8)
        {
            if (Volatile.Read(ref *(ulong*)(sba + wordOffset)) == 0)
            {
                continue;
            }

            for (var b = 0; b < 8; b++)
            {
                var at = sba + wordOffset + b;
                if (Volatile.Read(ref *at) == 0)
                {
                    continue;
                }

                for (var bit = 0; bit < 8; bit++)
                {
                    var mask = (byte)(0x80 >> bit);
                    if ((AtomicAndNotByte(at, mask) & mask) == 0)
                    {
                        continue;
                    }

                    var slot = ((wordOffset + b - 4) * 8) + bit;
                    var dmbeMask = (ushort)Interlocked.Exchange(ref *(ushort*)(sba + SbaMaskOffset + (slot * 2)), 0);
                    dmbeMask = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(dmbeMask) : dmbeMask;
                    Dmb? dmb;
                    lock (_lock)
                    {
                        _slots.TryGetValue(slot, out dmb);
                    }

                    if (dmb is { IsRegistered: true })
                    {
                        handler.OnSignal(dmb, dmbeMask);
                    }
                    else
                    {
                        handler.OnStraySignal(slot);
                    }
                }
            }
        }

        if ((AtomicAndNotByte(sba, 0x40) & 0x40) != 0)
        {
            DrainEventQueue(handler);
        }
    }

    private void DrainEventQueue(IIsmInterruptHandler handler)
    {
        var ieq = (byte*)(_ieq ?? throw new InvalidOperationException($"{Name} is not up")).Address;
        var head = Volatile.Read(ref *(ulong*)ieq);
        head = BitConverter.IsLittleEndian ? BinaryPrimitives.ReverseEndianness(head) : head;
        if (head > IeqEntries)
        {
            handler.OnError($"IEQ index {head} is out of range 0..{IeqEntries}; events skipped");
            return;
        }

        // Spec §3.4, the kernel's loop: advance while ieq_idx + 1 != header.idx, wrapping after the last entry.
        // Bounded by the number of entries, so a corrupt index can never make this spin.
        for (var n = 0; n < IeqEntries && _ieqIndex + 1 != (long)head; n++)
        {
            _ieqIndex++;
            if (_ieqIndex == IeqEntries)
            {
                _ieqIndex = 0;
            }

            var entry = new ReadOnlySpan<byte>(ieq + IeqHeaderSize + (_ieqIndex * IeqEntrySize), IeqEntrySize);
            var ev = new IsmEvent(
                (IsmEventType)BinaryPrimitives.ReadUInt32BigEndian(entry),
                BinaryPrimitives.ReadUInt32BigEndian(entry[4..]),
                BinaryPrimitives.ReadUInt64BigEndian(entry[8..]),
                BinaryPrimitives.ReadUInt64BigEndian(entry[16..]),
                BinaryPrimitives.ReadUInt64BigEndian(entry[24..]));
            handler.OnEvent(AnswerIfTestLink(ev));
        }

        if (_ieqIndex + 1 != (long)head && head != 0)
        {
            handler.OnError($"IEQ index {head} could not be reached from {_ieqIndex} within {IeqEntries} entries");
            _ieqIndex = (long)head - 1;
        }
    }

    private IsmEvent AnswerIfTestLink(IsmEvent ev)
    {
        if (ev.Type != IsmEventType.Software || ev.Code != IsmEventCode.TestLink)
        {
            return ev;
        }

        var info = TestLinkInfo.Decode(ev.Info);
        if (info.Code != TestLinkInfo.Request)
        {
            return ev;
        }

        try
        {
            SignalEvent(ev.Gid, IsmEventCode.TestLink, (info with { Code = TestLinkInfo.Response }).Encode(), triggerInterrupt: true);
            return ev with { Answered = true };
        }
        catch (IsmException e)
        {
            _logger.LogWarning(e, "ISM function {Device}: test-link answer to {Gid} failed", Name, ev.Gid);
            return ev;
        }
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    private IsmCommandChannel Commands => _commands ?? throw new InvalidOperationException($"{Name} is not brought up");

    private void Run(IsmCommandCode code, ReadOnlySpan<byte> body) => Run(code, body, [], 8);

    private void Run(IsmCommandCode code, ReadOnlySpan<byte> body, Span<byte> response, int responseLength)
    {
        var ret = Commands.Execute(code, body, response, responseLength, out var failure);
        if (ret != 0)
        {
            throw new IsmCommandException(Name, code, ret, failure);
        }
    }

    private static byte[] Be64(ulong value)
    {
        var bytes = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        return bytes;
    }

    private static byte AtomicAndNotByte(byte* p, byte mask)
    {
        var address = (nuint)p;
        var aligned = (int*)(address & ~(nuint)3);
        var shift = BitConverter.IsLittleEndian ? (int)(address & 3) * 8 : (3 - (int)(address & 3)) * 8;
        return (byte)(Interlocked.And(ref *aligned, ~(mask << shift)) >> shift);
    }

    /// <summary>Shuts the function down (if up) and closes the device.</summary>
    public void Dispose()
    {
        try
        {
            Shutdown();
        }
        finally
        {
            _device.Dispose();
        }
    }

    /// <summary>Collects one pass into lists, for <see cref="ProcessInterrupts()"/>.</summary>
    private sealed class BatchCollector : IIsmInterruptHandler
    {
        public List<DmbSignal> Signals { get; } = [];

        public List<IsmEvent> Events { get; } = [];

        public List<string> Errors { get; } = [];

        public int Stray { get; private set; }

        public void OnSignal(Dmb dmb, ushort mask) => Signals.Add(new DmbSignal(dmb, mask));

        public void OnEvent(IsmEvent ev) => Events.Add(ev);

        public void OnStraySignal(int slot) => Stray++;

        public void OnError(string problem) => Errors.Add(problem);
    }
}
