using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using IsmFabric.Cli.Agent;
using IsmFabric.Ism;

namespace IsmFabric.Cli.Bench;

/// <summary>
/// The move throughput of <c>bench moves</c>, verified: the peer's DMBs are cut into slots, one per DMB element (up to
/// 16 per DMB, as many chunks as fit); chunk n is moved, signalling its element, into slot n % slots, the peer checks its
/// checksum and writes back how many it verified, which frees the slots. A chunk cycles through <see cref="Sources"/>
/// buffers, not a divisor of the slots, so a slot still holding its previous chunk fails the check. The memcpy
/// baseline copies the same chunks through as many buffers while the peer spins in its checker, as during the moves.
/// </summary>
internal sealed class CheckedMoves(IsmFunction function, Dmb credits, Gid peer, DmbToken[] dmbs, BenchWorkspace workspace)
{
    /// <summary>Distinct chunk contents a phase cycles through.</summary>
    internal const int Sources = 5;

    private static readonly TimeSpan StallLimit = TimeSpan.FromSeconds(30);

    /// <summary>Slots per DMB for <paramref name="size"/>-byte chunks: one per DMB element, as many as fit.</summary>
    internal static int ElementsPerDmb(int size) => Math.Clamp(IsmFunction.MaxDmbLength / size, 1, 16);

    /// <summary>Slots (chunks in flight at most) for <paramref name="size"/>-byte chunks.</summary>
    internal int Slots(int size) => dmbs.Length * ElementsPerDmb(size);

    /// <summary>GB/s of verified moves of <paramref name="size"/>-byte chunks over <paramref name="seconds"/> (after a warm-up).</summary>
    internal Result Moves(int size, double seconds, CancellationToken ct)
    {
        var (sources, sums) = Chunks(size);
        Phase(sources, sums, seconds / 5, ct);
        return Phase(sources, sums, seconds, ct);
    }

    /// <summary>GB/s of an in-process copy of the same chunks into as many buffers as there are slots, the peer spinning in its checker.</summary>
    internal double Memcpy(int size, double seconds, CancellationToken ct)
    {
        var (sources, sums) = Chunks(size);
        var targets = new byte[Slots(size)][];
        for (var i = 0; i < targets.Length; i++)
        {
            targets[i] = new byte[size];
        }

        Begin(size, sums);
        long n = 0;
        void Copy()
        {
            sources[n % Sources].AsSpan().CopyTo(targets[n % targets.Length]);
            n++;
            ct.ThrowIfCancellationRequested();
        }

        Baselines.Repeat(Copy, seconds / 5);
        var (count, elapsed) = Baselines.Repeat(Copy, seconds);
        End(0);
        return count * (double)size / elapsed.TotalSeconds / 1e9;
    }

    private Result Phase(byte[][] sources, ulong[] sums, double seconds, CancellationToken ct)
    {
        var size = sources[0].Length;
        var elements = ElementsPerDmb(size);
        var slots = Slots(size);
        Begin(size, sums);
        long sent = 0, credited = 0, waitTicks = 0;
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < 16; i++)
            {
                if (sent - credited >= slots)
                {
                    var waitedFrom = Stopwatch.GetTimestamp();
                    credited = WaitForCredit(sent - slots + 1, ct);
                    waitTicks += Stopwatch.GetTimestamp() - waitedFrom;
                }

                var slot = (int)(sent % slots);
                var element = slot % elements;
                function.Move(dmbs[slot / elements], element * size, sources[sent % Sources], signal: true, dmbeIndex: element);
                sent++;
            }

            ct.ThrowIfCancellationRequested();
        }

        // Done when the peer verified the last chunk.
        var lastFrom = Stopwatch.GetTimestamp();
        WaitForCredit(sent, ct);
        waitTicks += Stopwatch.GetTimestamp() - lastFrom;
        var elapsed = sw.Elapsed;
        var (verified, verifyMicroseconds) = End(sent);
        return new Result(size, verified, elapsed, Stopwatch.GetElapsedTime(0, waitTicks), TimeSpan.FromMicroseconds(verifyMicroseconds));
    }

    /// <summary>Clears the credit, starts the peer's checker and waits until it spins.</summary>
    private void Begin(int size, ulong[] sums)
    {
        credits.Memory.Slice(BenchPeer.CreditOffset, 16).Clear();
        workspace.Io.Send($"CHECK {size} {ElementsPerDmb(size)} " + string.Join(' ', sums.Select(s => s.ToString("x16", CultureInfo.InvariantCulture))));
        workspace.Io.Expect("CHECKING");
    }

    /// <summary>Ends the peer's phase (<paramref name="sent"/> chunks moved); fails unless it verified exactly those.</summary>
    private (long Verified, double VerifyMicroseconds) End(long sent)
    {
        function.SignalEvent(peer, BenchPeer.EndOfPhase, (ulong)sent);
        var answer = workspace.Io.Expect("CHECKED").Split(' ');
        var verified = long.Parse(answer[0], CultureInfo.InvariantCulture);
        if (verified != sent)
        {
            throw new InvalidDataException($"the peer verified {verified} chunks, {sent} were moved");
        }

        return (verified, double.Parse(answer[1], CultureInfo.InvariantCulture));
    }

    /// <summary>Spins until the peer has verified <paramref name="target"/> chunks; returns its count.</summary>
    private long WaitForCredit(long target, CancellationToken ct)
    {
        var spinner = default(SpinWait);
        var since = Stopwatch.GetTimestamp();
        for (long spins = 1; ; spins++)
        {
            var credit = ReadCredit();
            if (credit >= target)
            {
                return credit;
            }

            spinner.SpinOnce(sleep1Threshold: -1);
            if (spins % 4096 == 0)
            {
                ct.ThrowIfCancellationRequested();
                workspace.ThrowIfPeerEnded();
                if (Stopwatch.GetElapsedTime(since) > StallLimit)
                {
                    throw new TimeoutException($"the peer verified no chunk past {credit} in {StallLimit.TotalSeconds} s (waiting for {target})");
                }
            }
        }
    }

    /// <summary>The peer's count, written twice: a torn read (the halves differ) counts as no progress.</summary>
    private long ReadCredit()
    {
        ref var at = ref credits.Memory[BenchPeer.CreditOffset];
        var first = Volatile.Read(ref Unsafe.As<byte, long>(ref at));
        var second = Volatile.Read(ref Unsafe.As<byte, long>(ref Unsafe.Add(ref at, 8)));
        if (first != second)
        {
            return -1;
        }

        return BitConverter.IsLittleEndian ? first : BinaryPrimitives.ReverseEndianness(first);
    }

    private static (byte[][] Sources, ulong[] Sums) Chunks(int size)
    {
        var sources = new byte[Sources][];
        var sums = new ulong[Sources];
        for (var i = 0; i < Sources; i++)
        {
            sources[i] = new byte[size];
            Random.Shared.NextBytes(sources[i]);
            sums[i] = ChunkChecksum.Compute(sources[i]);
        }

        return (sources, sums);
    }

    /// <summary>What a phase of verified moves did.</summary>
    /// <param name="Size">Chunk size.</param>
    /// <param name="Chunks">Chunks moved and verified.</param>
    /// <param name="Elapsed">From the first move to the peer's count of the last.</param>
    /// <param name="Waited">Time the sender spent waiting for the peer to free a slot.</param>
    /// <param name="Verifying">Time the peer spent checksumming.</param>
    internal sealed record Result(int Size, long Chunks, TimeSpan Elapsed, TimeSpan Waited, TimeSpan Verifying)
    {
        public double GigabytesPerSecond => Chunks * (double)Size / Elapsed.TotalSeconds / 1e9;
    }
}
