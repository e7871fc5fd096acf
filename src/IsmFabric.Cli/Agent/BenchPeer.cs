using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using IsmFabric.Ism;

namespace IsmFabric.Cli.Agent;

/// <summary>
/// The far LPAR of <c>bench moves</c>, on command: registers the DMBs chunks are moved into (SLOTS), checks moved
/// chunks (CHECK size elements sums…), bounces signals (PINGPONG), echoes pipe bytes (PIPE). Checking spins, draining
/// interrupts without sleeping, whether chunks arrive or not, so that the memcpy baseline is measured with this process
/// doing what it does during the moves.
/// </summary>
internal static class BenchPeer
{
    /// <summary>The software event code that ends a phase; its info is the number of chunks the phase moved.</summary>
    internal const uint EndOfPhase = 0xF0;

    /// <summary>Where in the sender's DMB the checker writes how many chunks it verified (twice, to tell a torn read).</summary>
    internal const int CreditOffset = 256;

    /// <summary>Exit code of a check that failed (a chunk other than the one moved, or chunks missing).</summary>
    internal const int CheckFailed = 3;

    private static readonly TimeSpan IdleLimit = TimeSpan.FromSeconds(30);

    internal static int Run(string cec, string lpar)
    {
        var io = LineChannel.Console();
        using var node = AgentNode.Start(cec, lpar);
        var f = node.Function;
        io.Send($"GID {f.Gid}");
        var peer = Gid.Parse(io.Expect("PEER"));
        var dmb = f.RegisterDmb(IsmFunction.MaxDmbLength, peer);
        io.Send($"TOKEN {dmb.Token.Value:x}");
        var peerToken = new DmbToken(Convert.ToUInt64(io.Expect("PEERTOKEN"), 16));
        var reply = new byte[64];
        Dmb[] slots = [];

        while (io.Receive() is { } line)
        {
            var words = line.Split(' ');
            switch (words[0])
            {
                case "SLOTS":
                    slots = new Dmb[int.Parse(words[1], CultureInfo.InvariantCulture)];
                    for (var i = 0; i < slots.Length; i++)
                    {
                        slots[i] = f.RegisterDmb(IsmFunction.MaxDmbLength, peer);
                    }

                    io.Send("SLOTS " + string.Join(' ', slots.Select(s => s.Token.Value.ToString("x", CultureInfo.InvariantCulture))));
                    break;
                case "CHECK":
                    var size = int.Parse(words[1], CultureInfo.InvariantCulture);
                    var elements = int.Parse(words[2], CultureInfo.InvariantCulture);
                    var sums = words[3..].Select(w => ulong.Parse(w, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
                    if (Check(io, f, slots, elements, peerToken, size, sums) is { } error)
                    {
                        io.Send($"ERROR {error}");
                        return CheckFailed;
                    }

                    break;
                case "PINGPONG":
                    var rounds = int.Parse(words[1], CultureInfo.InvariantCulture);
                    for (var i = 0; i < rounds; i++)
                    {
                        node.WaitForSignal(dmb, TimeSpan.FromSeconds(30));
                        f.Move(peerToken, 0, reply, signal: true);
                    }

                    io.Send("DONE");
                    break;
                case "PIPE":
                    var count = int.Parse(words[1], CultureInfo.InvariantCulture);
                    var one = new byte[1];
                    for (var i = 0; i < count; i++)
                    {
                        if (io.Input.Read(one, 0, 1) != 1)
                        {
                            return 1;
                        }

                        io.Output.Write(one, 0, 1);
                        io.Output.Flush();
                    }

                    break;
                case "QUIT":
                    return 0;
                default:
                    io.Send($"ERROR unknown command '{line}'");
                    return 2;
            }
        }

        return 0;
    }

    /// <summary>
    /// One phase: the DMBs are cut into <paramref name="elements"/> slots each (one per DMB element, signalled on its
    /// own); chunk n arrives in slot n % slots and its checksum must be sums[n % sums]; after each pass the count
    /// verified goes back into the sender's DMB, which frees the slots. Ends once the end-of-phase event came and every
    /// chunk it announced was verified: prints "CHECKED chunks verify_us passes". Returns the error, if any.
    /// </summary>
    private static string? Check(LineChannel io, IsmFunction f, Dmb[] dmbs, int elements, DmbToken sender, int size, ulong[] sums)
    {
        var handler = new CheckHandler(dmbs, elements);
        var slots = dmbs.Length * elements;
        var credit = new byte[16];
        long verified = 0, verifyTicks = 0, passes = 0;
        var lastProgress = Stopwatch.GetTimestamp();
        var spinner = default(SpinWait);
        io.Send("CHECKING");
        while (true)
        {
            f.ProcessInterrupts(handler);
            passes++;
            var started = Stopwatch.GetTimestamp();
            var before = verified;
            while (handler.Arrived[verified % slots])
            {
                var slot = (int)(verified % slots);
                handler.Arrived[slot] = false;
                var at = slot % elements * size;
                var sum = ChunkChecksum.Compute(dmbs[slot / elements].Memory.Slice(at, size));
                var expected = sums[verified % sums.Length];
                if (sum != expected)
                {
                    return $"chunk {verified} ({size} bytes, DMB {slot / elements} element {slot % elements}): checksum {sum:x16}, " +
                        $"expected {expected:x16} (its source's): the bytes received are not the bytes sent";
                }

                verified++;
            }

            if (verified != before)
            {
                verifyTicks += Stopwatch.GetTimestamp() - started;
                BinaryPrimitives.WriteInt64LittleEndian(credit, verified);
                BinaryPrimitives.WriteInt64LittleEndian(credit.AsSpan(8), verified);
                f.Move(sender, CreditOffset, credit, signal: false);
                lastProgress = Stopwatch.GetTimestamp();
                spinner = default;
                continue;
            }

            if (handler.End is { } end)
            {
                if (verified == end)
                {
                    break;
                }

                if (verified > end)
                {
                    return $"{verified} chunks arrived, the sender moved {end}";
                }
            }

            if (Stopwatch.GetElapsedTime(lastProgress) > IdleLimit)
            {
                return $"no chunk for {IdleLimit.TotalSeconds} s after chunk {verified} (the sender is gone?)";
            }

            spinner.SpinOnce(sleep1Threshold: -1);
        }

        io.Send($"CHECKED {verified} {Stopwatch.GetElapsedTime(0, verifyTicks).TotalMicroseconds:0} {passes}");
        return null;
    }

    /// <summary>Notes which slots (DMB elements) were signalled and the end-of-phase event; builds nothing per interrupt.</summary>
    private sealed class CheckHandler(Dmb[] dmbs, int elements) : IIsmInterruptHandler
    {
        public bool[] Arrived { get; } = new bool[dmbs.Length * elements];

        public long? End { get; private set; }

        public void OnSignal(Dmb dmb, ushort mask)
        {
            var index = Array.IndexOf(dmbs, dmb);
            if (index < 0)
            {
                return;
            }

            // DMBE index k is bit k counted from the most significant bit.
            for (var k = 0; k < elements; k++)
            {
                if ((mask & (0x8000 >> k)) != 0)
                {
                    Arrived[(index * elements) + k] = true;
                }
            }
        }

        public void OnEvent(IsmEvent ev)
        {
            if (ev.Type == IsmEventType.Software && ev.Code == EndOfPhase)
            {
                End = (long)ev.Info;
            }
        }

        public void OnStraySignal(int slot)
        {
        }

        public void OnError(string problem)
        {
        }
    }
}
