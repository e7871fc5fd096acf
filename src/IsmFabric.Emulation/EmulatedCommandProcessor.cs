using System.Buffers.Binary;
using static IsmFabric.Emulation.SharedMemory;

namespace IsmFabric.Emulation;

/// <summary>
/// Carries out the ISM commands of spec §2.3 when the request header is stored to BAR2 offset 0, and leaves the
/// response (big-endian, exactly the sizes the kernel expects) in the command area for the loads that follow.
/// </summary>
internal sealed unsafe class EmulatedCommandProcessor
{
    internal const uint RegSba = 0x01;
    internal const uint RegIeq = 0x02;
    internal const uint ReadGid = 0x03;
    internal const uint AddVlanId = 0x04;
    internal const uint DelVlanId = 0x05;
    internal const uint SetVlan = 0x06;
    internal const uint ResetVlan = 0x07;
    internal const uint QueryInfo = 0x08;
    internal const uint QueryRgid = 0x09;
    internal const uint RegDmb = 0x0A;
    internal const uint UnregDmb = 0x0B;
    internal const uint SignalIeq = 0x0E;
    internal const uint UnregSba = 0x11;
    internal const uint UnregIeq = 0x12;

    private const ushort ReservedVlan = 0x1FFF;

    private readonly CecMachine _machine;
    private readonly int _index;
    private readonly byte* _fn;

    internal EmulatedCommandProcessor(CecMachine machine, int index)
    {
        _machine = machine;
        _index = index;
        _fn = machine.Function(index);
    }

    internal void Execute(Span<byte> area)
    {
        var cmd = BinaryPrimitives.ReadUInt32BigEndian(area);
        var len = BinaryPrimitives.ReadUInt16BigEndian(area[6..]);
        Interlocked.Increment(ref I64(_fn, CecLayout.FStatCommands));

        ushort ret;
        var responseLength = 8;
        if (InjectedFailure(cmd, out var injected))
        {
            ret = injected;
        }
        else
        {
            try
            {
                (ret, responseLength) = Dispatch(cmd, len, area);
            }
            catch (CecBusyException)
            {
                // The CEC lock stayed taken (a stopped process holds it): the command did nothing and says so.
                ret = EmulatedReturnCode.Busy;
            }
        }

        if (ret != EmulatedReturnCode.Ok)
        {
            responseLength = 8;
        }

        BinaryPrimitives.WriteUInt32BigEndian(area, cmd);
        BinaryPrimitives.WriteUInt16BigEndian(area[4..], ret);
        BinaryPrimitives.WriteUInt16BigEndian(area[6..], (ushort)responseLength);
    }

    private bool InjectedFailure(uint cmd, out ushort ret)
    {
        ret = 0;
        if (Volatile.Read(ref I32(_fn, CecLayout.FFailCommands)) <= 0)
        {
            return false;
        }

        var only = Volatile.Read(ref U32(_fn, CecLayout.FFailCommandCode));
        if (only != 0 && only != cmd)
        {
            return false;
        }

        if (Interlocked.Decrement(ref I32(_fn, CecLayout.FFailCommands)) < 0)
        {
            Interlocked.Exchange(ref I32(_fn, CecLayout.FFailCommands), 0);
            return false;
        }

        ret = (ushort)Volatile.Read(ref U32(_fn, CecLayout.FFailRet));
        return true;
    }

    private (ushort Ret, int ResponseLength) Dispatch(uint cmd, ushort len, Span<byte> area)
    {
        int? expected = cmd switch
        {
            RegSba => 16,
            RegIeq => 24,
            ReadGid => 8,
            AddVlanId or DelVlanId => 16,
            SetVlan or ResetVlan => 8,
            QueryInfo => 8,
            QueryRgid => 24,
            RegDmb => 40,
            UnregDmb => 16,
            SignalIeq => 32,
            UnregSba or UnregIeq => 8,
            _ => null,
        };
        if (expected is null)
        {
            return (EmulatedReturnCode.UnknownCommand, 8);
        }

        if (len != expected)
        {
            return (EmulatedReturnCode.BadRequestLength, 8);
        }

        var body = area[8..];
        return cmd switch
        {
            RegSba => (RegisterSba(BinaryPrimitives.ReadUInt64BigEndian(body)), 8),
            RegIeq => (RegisterIeq(BinaryPrimitives.ReadUInt64BigEndian(body), BinaryPrimitives.ReadUInt64BigEndian(body[8..])), 8),
            ReadGid => ReadGidInto(body),
            AddVlanId => (AddVlan(BinaryPrimitives.ReadUInt64BigEndian(body)), 8),
            DelVlanId => (DeleteVlan(BinaryPrimitives.ReadUInt64BigEndian(body)), 8),
            SetVlan => (SetVlanRequired(1), 8),
            ResetVlan => (SetVlanRequired(0), 8),
            QueryInfo => QueryInfoInto(body),
            QueryRgid => (QueryRemoteGid(BinaryPrimitives.ReadUInt64BigEndian(body), BinaryPrimitives.ReadUInt32BigEndian(body[8..]), BinaryPrimitives.ReadUInt32BigEndian(body[12..])), 8),
            RegDmb => RegisterDmb(body),
            UnregDmb => (UnregisterDmb(BinaryPrimitives.ReadUInt64BigEndian(body)), 8),
            SignalIeq => (Signal(BinaryPrimitives.ReadUInt64BigEndian(body), BinaryPrimitives.ReadUInt32BigEndian(body[12..]), BinaryPrimitives.ReadUInt64BigEndian(body[16..])), 8),
            UnregSba => (Unregister(UnregSba), 8),
            UnregIeq => (Unregister(UnregIeq), 8),
            _ => (EmulatedReturnCode.UnknownCommand, 8),
        };
    }

    private int Lpar => I32(_fn, CecLayout.FLpar);

    private ushort RegisterSba(ulong iova)
    {
        if (iova % CecLayout.PageSize != 0)
        {
            return EmulatedReturnCode.BadAddress;
        }

        using (_machine.LockCec())
        {
            // The device takes only memory the LPAR mapped for this function (the emulated IOMMU).
            if (!_machine.IsDmaMapped(_index, iova, IsmEventCodes.SbaSize))
            {
                return EmulatedReturnCode.BadAddress;
            }

            if (U64(_fn, CecLayout.FSbaIova) != 0)
            {
                return EmulatedReturnCode.AlreadyRegistered;
            }

            Volatile.Write(ref U64(_fn, CecLayout.FSbaIova), iova);
            _machine.PinDmaLocked(_index, iova, IsmEventCodes.SbaSize);
        }

        return EmulatedReturnCode.Ok;
    }

    private ushort RegisterIeq(ulong iova, ulong length)
    {
        if (length < IsmEventCodes.IeqHeaderSize + IsmEventCodes.IeqEntrySize || length > CecLayout.PageSize
            || (length - IsmEventCodes.IeqHeaderSize) % IsmEventCodes.IeqEntrySize != 0)
        {
            return EmulatedReturnCode.BadRequestLength;
        }

        if (iova % 8 != 0 || (iova % CecLayout.PageSize) + length > CecLayout.PageSize)
        {
            return EmulatedReturnCode.BadAddress;
        }

        using (_machine.LockCec())
        {
            var ieq = _machine.TranslateDma(_index, Lpar, iova, (long)length);
            if (ieq is null)
            {
                return EmulatedReturnCode.BadAddress;
            }

            if (U64(_fn, CecLayout.FIeqIova) != 0)
            {
                return EmulatedReturnCode.AlreadyRegistered;
            }

            // The device fills the IEQ header (spec §3.4: idx 0 = nothing yet, ieq_len, entry_len).
            WriteBe64(ieq, 0, 0);
            WriteBe64(ieq, 8, length);
            WriteBe64(ieq, 16, IsmEventCodes.IeqEntrySize);
            U32(_fn, CecLayout.FIeqLength) = (uint)length;
            U32(_fn, CecLayout.FIeqNext) = 0;
            Volatile.Write(ref U64(_fn, CecLayout.FIeqIova), iova);
            _machine.PinDmaLocked(_index, iova, (long)length);
        }

        return EmulatedReturnCode.Ok;
    }

    private ushort Unregister(uint command)
    {
        using (_machine.LockCec())
        {
            var registered = command == UnregSba ? _machine.UnregisterSbaLocked(_index) : _machine.UnregisterIeqLocked(_index);
            return registered ? EmulatedReturnCode.Ok : EmulatedReturnCode.NotRegistered;
        }
    }

    private (ushort, int) ReadGidInto(Span<byte> body)
    {
        BinaryPrimitives.WriteUInt64BigEndian(body, U64(_fn, CecLayout.FGid));
        return (EmulatedReturnCode.Ok, 16);
    }

    private ushort AddVlan(ulong vlan)
    {
        if (vlan > 0xFFF && vlan != ReservedVlan)
        {
            return EmulatedReturnCode.VlanError;
        }

        using (_machine.LockCec())
        {
            var count = (int)U32(_fn, CecLayout.FVlanCount);
            if (IsVlanMember(_fn, (ushort)vlan) || count >= CecLayout.MaxVlans)
            {
                return EmulatedReturnCode.VlanError;
            }

            U16(_fn, CecLayout.FVlans + (count * 2)) = (ushort)vlan;
            U32(_fn, CecLayout.FVlanCount) = (uint)(count + 1);
        }

        return EmulatedReturnCode.Ok;
    }

    private ushort DeleteVlan(ulong vlan)
    {
        using (_machine.LockCec())
        {
            var count = (int)U32(_fn, CecLayout.FVlanCount);
            for (var i = 0; i < count; i++)
            {
                if (U16(_fn, CecLayout.FVlans + (i * 2)) == vlan)
                {
                    U16(_fn, CecLayout.FVlans + (i * 2)) = U16(_fn, CecLayout.FVlans + ((count - 1) * 2));
                    U32(_fn, CecLayout.FVlanCount) = (uint)(count - 1);
                    return EmulatedReturnCode.Ok;
                }
            }
        }

        return EmulatedReturnCode.VlanError;
    }

    private ushort SetVlanRequired(uint on)
    {
        U32(_fn, CecLayout.FVlanRequired) = on;
        return EmulatedReturnCode.Ok;
    }

    internal static bool IsVlanMember(byte* fn, ushort vlan)
    {
        var count = (int)Math.Min(U32(fn, CecLayout.FVlanCount), CecLayout.MaxVlans);
        for (var i = 0; i < count; i++)
        {
            if (U16(fn, CecLayout.FVlans + (i * 2)) == vlan)
            {
                return true;
            }
        }

        return false;
    }

    private (ushort, int) QueryInfoInto(Span<byte> body)
    {
        // Offsets of spec §2.3 counted from the start of the header; body = header + 8.
        body[..192].Clear();
        BinaryPrimitives.WriteUInt32BigEndian(body, 1);                     // @8 version
        BinaryPrimitives.WriteUInt32BigEndian(body[4..], EmulatedIsmDevice.Imaxstbl); // @12 max_len
        BinaryPrimitives.WriteUInt64BigEndian(body[8..], (ulong)_machine.StateOf(_index)); // @16 ism_state
        BinaryPrimitives.WriteUInt64BigEndian(body[16..], U64(_fn, CecLayout.FGid)); // @24 my_gid
        BinaryPrimitives.WriteUInt64BigEndian(body[24..], U64(_fn, CecLayout.FSbaIova)); // @32 sba
        BinaryPrimitives.WriteUInt64BigEndian(body[32..], U64(_fn, CecLayout.FIeqIova)); // @40 ieq
        BinaryPrimitives.WriteUInt32BigEndian(body[40..], U32(_fn, CecLayout.FIeqLength)); // @48 ieq_len
        BinaryPrimitives.WriteUInt32BigEndian(body[48..], CecLayout.MaxDmbsPerFunction); // @56 dmbs_owned (capacity)
        BinaryPrimitives.WriteUInt32BigEndian(body[52..], (uint)I32(_fn, CecLayout.FDmbCount)); // @60 dmbs_used
        BinaryPrimitives.WriteUInt32BigEndian(body[56..], U32(_fn, CecLayout.FVlanRequired)); // @64 vlan_required
        var vlans = (int)Math.Min(U32(_fn, CecLayout.FVlanCount), CecLayout.MaxVlans);
        BinaryPrimitives.WriteUInt32BigEndian(body[60..], (uint)vlans); // @68 vlan_nr_ids
        for (var i = 0; i < vlans; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(body[(64 + (i * 2))..], U16(_fn, CecLayout.FVlans + (i * 2))); // @72 vlan_id[64]
        }

        return (EmulatedReturnCode.Ok, 200);
    }

    /// <summary>Finds a reachable function with <paramref name="gid"/> on this function's CHID; -1 when none.</summary>
    private int Reachable(ulong gid, bool vlanValid, ushort vlan)
    {
        var target = _machine.FunctionByGid(gid, U16(_fn, CecLayout.FChid));
        if (target < 0 || _machine.StateOf(target) != FunctionState.InUse)
        {
            return -1;
        }

        return vlanValid && !IsVlanMember(_machine.Function(target), vlan) ? -1 : target;
    }

    private ushort QueryRemoteGid(ulong rgid, uint vlanValid, uint vlanId) =>
        Reachable(rgid, vlanValid != 0, (ushort)vlanId) >= 0 ? EmulatedReturnCode.Ok : EmulatedReturnCode.GidUnreachable;

    private (ushort, int) RegisterDmb(Span<byte> body)
    {
        var iova = BinaryPrimitives.ReadUInt64BigEndian(body);
        var length = BinaryPrimitives.ReadUInt32BigEndian(body[8..]);
        var sbaIndex = BinaryPrimitives.ReadUInt32BigEndian(body[12..]);
        var vlanValid = BinaryPrimitives.ReadUInt32BigEndian(body[16..]);
        var vlanId = BinaryPrimitives.ReadUInt32BigEndian(body[20..]);
        var rgid = BinaryPrimitives.ReadUInt64BigEndian(body[24..]);

        if (length == 0 || length > CecLayout.MaxDmbLength)
        {
            return (EmulatedReturnCode.BadDmbLength, 8);
        }

        if (sbaIndex < CecLayout.FirstDmbSlot || sbaIndex >= CecLayout.SlotCount)
        {
            return (EmulatedReturnCode.BadSbaIndex, 8);
        }

        if (iova % CecLayout.PageSize != 0 || (iova % CecLayout.MaxDmbLength) + length > CecLayout.MaxDmbLength)
        {
            return (EmulatedReturnCode.BadAddress, 8);
        }

        if (vlanValid != 0 && !IsVlanMember(_fn, (ushort)vlanId))
        {
            return (EmulatedReturnCode.VlanError, 8);
        }

        using (_machine.LockCec())
        {
            // The device takes only memory the LPAR mapped for this function (the emulated IOMMU).
            if (!_machine.IsDmaMapped(_index, iova, length))
            {
                return (EmulatedReturnCode.BadAddress, 8);
            }

            if (I32(_fn, CecLayout.FDmbCount) >= CecLayout.MaxDmbsPerFunction)
            {
                return (EmulatedReturnCode.DmbLimit, 8);
            }

            var slotByte = _fn + CecLayout.FSbaSlots + (sbaIndex / 8);
            var slotBit = (byte)(0x80 >> (int)(sbaIndex % 8));
            if ((*slotByte & slotBit) != 0)
            {
                return (EmulatedReturnCode.BadSbaIndex, 8);
            }

            var tokenIndex = FindFreeToken();
            if (tokenIndex < 0)
            {
                return (EmulatedReturnCode.DmbLimit, 8);
            }

            // Spec §3.2: a token has bits 0..31 clear and fits below bit 48.
            var token = (ulong)tokenIndex << 32;
            var dmb = _machine.Dmb(tokenIndex);
            I32(dmb, CecLayout.DOwner) = _index;
            U64(dmb, CecLayout.DToken) = token;
            U64(dmb, CecLayout.DIova) = iova;
            U64(dmb, CecLayout.DRgid) = rgid;
            U32(dmb, CecLayout.DLength) = length;
            U32(dmb, CecLayout.DSbaIndex) = sbaIndex;
            U32(dmb, CecLayout.DVlanValid) = vlanValid;
            U32(dmb, CecLayout.DVlanId) = vlanId;
            I64(dmb, CecLayout.DRegisteredAt) = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            AtomicOrByte(slotByte, slotBit);
            Interlocked.Increment(ref I32(_fn, CecLayout.FDmbCount));
            _machine.PinDmaLocked(_index, iova, length);
            Volatile.Write(ref I32(dmb, CecLayout.DState), (int)DmbState.Registered); // published last
            BinaryPrimitives.WriteUInt64BigEndian(body, token);
        }

        return (EmulatedReturnCode.Ok, 16);
    }

    /// <summary>Picks the next free token index after the last one handed out, so a stale token is not soon reused.</summary>
    private int FindFreeToken()
    {
        var header = _machine.Dmb(0) - CecLayout.DmbTable;
        var start = (int)U32(header, CecLayout.HNextToken);
        for (var i = 0; i < CecLayout.DmbCapacity - 1; i++)
        {
            var candidate = ((start - 1 + i) % (CecLayout.DmbCapacity - 1)) + 1;
            if (I32(_machine.Dmb(candidate), CecLayout.DState) == (int)DmbState.Free)
            {
                U32(header, CecLayout.HNextToken) = (uint)((candidate % (CecLayout.DmbCapacity - 1)) + 1);
                return candidate;
            }
        }

        return -1;
    }

    private ushort UnregisterDmb(ulong token)
    {
        var tokenIndex = (int)(token >> 32);
        if ((token & 0xFFFF_0000_FFFF_FFFFUL) != 0 || tokenIndex == 0)
        {
            return EmulatedReturnCode.NotRegistered;
        }

        using (_machine.LockCec())
        {
            var dmb = _machine.Dmb(tokenIndex);
            var dmbState = (DmbState)I32(dmb, CecLayout.DState);
            if (dmbState is not (DmbState.Registered or DmbState.Unregistering) || U64(dmb, CecLayout.DToken) != token || I32(dmb, CecLayout.DOwner) != _index)
            {
                return EmulatedReturnCode.NotRegistered;
            }

            // A move still in flight after the bounded wait (its process stopped): the DMB is not freed and the driver
            // must keep its memory (spec §2.4: any ret but 0 and 0xFFFF keeps the DMB); asking again finishes it.
            var freed = dmbState == DmbState.Registered ? _machine.UnregisterDmbLocked(tokenIndex) : _machine.TryFreeLocked(tokenIndex);
            return freed ? EmulatedReturnCode.Ok : EmulatedReturnCode.Busy;
        }
    }

    private ushort Signal(ulong rgid, uint eventCode, ulong info)
    {
        var target = Reachable(rgid, false, 0);
        if (target < 0)
        {
            return EmulatedReturnCode.GidUnreachable;
        }

        // Spec §3.4: a software event carries the sender's GID in tok. trigger_irq = 0 lets the device coalesce;
        // this device always interrupts at once, which is one of the behaviours that allows.
        using (_machine.LockCec())
        {
            return _machine.PostEvent(target, IsmEventCodes.TypeSoftware, eventCode, U64(_fn, CecLayout.FGid), info)
                ? EmulatedReturnCode.Ok
                : EmulatedReturnCode.GidUnreachable;
        }
    }
}
