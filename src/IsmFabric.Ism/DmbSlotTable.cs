namespace IsmFabric.Ism;

/// <summary>A function's SBA slots 32..1919 and the DMB in each: reserved before REG_DMB, filled after, handed out round-robin.</summary>
/// <remarks>Thread-safe.</remarks>
internal sealed class DmbSlotTable(string device)
{
    private const int FirstDmbSlot = IsmFunction.FirstDmbSlot;
    private const int SlotCount = IsmFunction.SlotCount;
    private const int MaxDmbs = IsmFunction.MaxDmbs;

    // A reserved slot maps to null until REG_DMB answers.
    private readonly Dictionary<int, Dmb?> _slots = [];
    private readonly Lock _lock = new();
    private int _nextSlot = FirstDmbSlot;

    /// <summary>The registered DMBs in the table now (a copy; slots only reserved while REG_DMB runs are left out).</summary>
    internal IReadOnlyCollection<Dmb> Registered
    {
        get
        {
            lock (_lock)
            {
                return [.. _slots.Values.OfType<Dmb>()];
            }
        }
    }

    /// <summary>
    /// Reserves <paramref name="requested"/>, or the next free slot after the last one handed out when null; throws
    /// when that slot is taken or out of range, or (<see cref="IsmDmbLimitException"/>) when every slot is in use.
    /// </summary>
    internal int Reserve(int? requested)
    {
        lock (_lock)
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

                _slots[r] = null;
                return r;
            }

            if (_slots.Count >= MaxDmbs)
            {
                throw new IsmDmbLimitException($"{device}: all {MaxDmbs} DMB slots ({FirstDmbSlot}..{SlotCount - 1}) are in use");
            }

            for (var i = 0; i < MaxDmbs; i++)
            {
                var slot = FirstDmbSlot + ((_nextSlot - FirstDmbSlot + i) % MaxDmbs);
                if (!_slots.ContainsKey(slot))
                {
                    _nextSlot = slot + 1 >= SlotCount ? FirstDmbSlot : slot + 1;
                    _slots[slot] = null; // reserved until REG_DMB answers
                    return slot;
                }
            }

            throw new IsmDmbLimitException($"{device}: all {MaxDmbs} DMB slots are in use");
        }
    }

    /// <summary>Puts <paramref name="dmb"/> into its reserved <paramref name="slot"/>.</summary>
    internal void Fill(int slot, Dmb dmb)
    {
        lock (_lock)
        {
            _slots[slot] = dmb;
        }
    }

    /// <summary>Frees <paramref name="slot"/>, reserved or filled.</summary>
    internal void Release(int slot)
    {
        lock (_lock)
        {
            _slots.Remove(slot);
        }
    }

    /// <summary>The DMB in <paramref name="slot"/>; null when the slot is free or only reserved.</summary>
    internal Dmb? Find(int slot)
    {
        lock (_lock)
        {
            _slots.TryGetValue(slot, out var dmb);
            return dmb;
        }
    }
}
