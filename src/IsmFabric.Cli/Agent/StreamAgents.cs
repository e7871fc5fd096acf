using System.Buffers.Binary;
using IsmFabric.Ism;

namespace IsmFabric.Cli.Agent;

/// <summary>
/// The two sides of a verified bulk transfer between two LPAR processes: the sender writes pseudo-random chunks
/// into the receiver's DMB, signalling each one and waiting for the receiver's acknowledgement before reusing its
/// buffer; the receiver checks every byte against the same pseudo-random stream. Driven over stdin/stdout by a
/// test or an operator.
/// </summary>
internal static class StreamAgents
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(30);

    internal static int Receive(string cec, string lpar, ulong seed, long bytes, int chunk)
    {
        var io = LineChannel.Console();
        using var node = AgentNode.Start(cec, lpar);
        var f = node.Function;
        io.Send($"GID {f.Gid}");
        var peer = Gid.Parse(io.Expect("PEER"));
        var dmb = f.RegisterDmb(chunk, peer);
        io.Send($"TOKEN {dmb.Token.Value:x}");
        var peerToken = new DmbToken(Convert.ToUInt64(io.Expect("PEERTOKEN"), 16));

        var expected = new byte[chunk];
        var generator = new PatternGenerator(seed);
        var ack = new byte[8];
        long received = 0;
        for (long index = 0; received < bytes; index++)
        {
            var length = (int)Math.Min(chunk, bytes - received);
            node.WaitForSignal(dmb, StepTimeout);
            generator.Fill(expected.AsSpan(0, length));
            var actual = dmb.Memory[..length];
            if (!actual.SequenceEqual(expected.AsSpan(0, length)))
            {
                var at = actual.CommonPrefixLength(expected.AsSpan(0, length));
                io.Send($"ERROR mismatch in chunk {index} at byte {received + at}");
                return 2;
            }

            received += length;
            BinaryPrimitives.WriteInt64BigEndian(ack, index);
            f.Move(peerToken, 0, ack, signal: true);
        }

        io.Send($"VERIFIED {received}");
        return ReportEventsUntilQuit(io, node);
    }

    internal static int Send(string cec, string lpar, ulong seed, long bytes, int chunk)
    {
        var io = LineChannel.Console();
        using var node = AgentNode.Start(cec, lpar);
        var f = node.Function;
        io.Send($"GID {f.Gid}");
        var peer = Gid.Parse(io.Expect("PEER"));
        var ackDmb = f.RegisterDmb(4096, peer);
        io.Send($"TOKEN {ackDmb.Token.Value:x}");
        var peerToken = new DmbToken(Convert.ToUInt64(io.Expect("PEERTOKEN"), 16));

        var buffer = new byte[chunk];
        var generator = new PatternGenerator(seed);
        long sent = 0;
        for (long index = 0; sent < bytes; index++)
        {
            var length = (int)Math.Min(chunk, bytes - sent);
            generator.Fill(buffer.AsSpan(0, length));
            f.Move(peerToken, 0, buffer.AsSpan(0, length), signal: true);
            node.WaitForSignal(ackDmb, StepTimeout);
            var acked = BinaryPrimitives.ReadInt64BigEndian(ackDmb.Memory);
            if (acked != index)
            {
                io.Send($"ERROR acknowledgement {acked} for chunk {index}");
                return 2;
            }

            sent += length;
        }

        io.Send($"SENT {sent}");
        return ReportEventsUntilQuit(io, node);
    }

    /// <summary>Prints every IEQ event as "EVENT type code token" until stdin says QUIT or closes.</summary>
    private static int ReportEventsUntilQuit(LineChannel io, AgentNode node)
    {
        using var quit = new CancellationTokenSource();
        var reader = new Thread(() =>
        {
            while (io.Receive() is { } line && line != "QUIT")
            {
            }

            quit.Cancel();
        })
        { IsBackground = true };
        reader.Start();

        while (!quit.IsCancellationRequested)
        {
            node.Function.Interrupts.Wait(TimeSpan.FromMilliseconds(200), quit.Token);
            node.Process(null);
            foreach (var e in node.TakeEvents())
            {
                io.Send($"EVENT {e.Type} 0x{e.Code:x2} 0x{e.Token:x16} {IsmEventCode.Describe(e.Type, e.Code)}");
            }
        }

        return 0;
    }
}
