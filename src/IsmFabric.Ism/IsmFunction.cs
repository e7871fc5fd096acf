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
/// <remarks>
/// One type over several files, one concern each: this file (state, moves), <c>IsmFunction.BringUp.cs</c> (bring-up
/// and shutdown), <c>IsmFunction.Commands.cs</c>, <c>IsmFunction.Dmbs.cs</c> (registration, on
/// <c>DmbSlotTable</c>) and <c>IsmFunction.Interrupts.cs</c> (on <c>SbaScanner</c> and
/// <c>IeqReader</c>, with the test-link answer).
/// </remarks>
public sealed partial class IsmFunction : IDisposable
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

    private readonly IVfioDevice _device;
    private readonly ILogger _logger;
    private readonly DmbSlotTable _slots;
    private readonly DmbQuarantine _quarantine = new();
    private VfioRegion _bar0;
    private IsmCommandChannel? _commands;
    private SbaScanner? _sba;
    private IeqReader? _ieq;
    private IInterruptSource? _interrupts;

    /// <summary>Wraps <paramref name="device"/>; nothing touches the device until <see cref="BringUp"/>.</summary>
    public IsmFunction(IVfioDevice device, ILogger? logger = null)
    {
        _device = device ?? throw new ArgumentNullException(nameof(device));
        _logger = logger ?? NullLogger.Instance;
        _slots = new DmbSlotTable(_device.Name);
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
    public IReadOnlyCollection<Dmb> Dmbs => _slots.Registered;

    /// <summary>Buffers of registrations that failed in a way that leaves the device possibly holding them: kept mapped, their slots kept, until the function is closed.</summary>
    public IReadOnlyList<QuarantinedDmb> Quarantined => _quarantine.Entries;

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
}
