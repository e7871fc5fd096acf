using IsmFabric.Ism;

namespace IsmFabric.Cli.Agent;

/// <summary>The far LPAR of <c>ismfabric bench moves</c>: drains moves, bounces signals, echoes pipe bytes, on command.</summary>
internal static class BenchPeer
{
    /// <summary>The software event code that ends a drain phase.</summary>
    internal const uint EndOfPhase = 0xF0;

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

        while (io.Receive() is { } line)
        {
            var words = line.Split(' ');
            switch (words[0])
            {
                case "DRAIN":
                    long signals = 0;
                    while (true)
                    {
                        f.Interrupts.Wait(TimeSpan.FromMilliseconds(200));
                        var batch = f.ProcessInterrupts();
                        signals += batch.Signals.Count;
                        if (batch.Events.Any(e => e.Type == IsmEventType.Software && e.Code == EndOfPhase))
                        {
                            break;
                        }
                    }

                    io.Send($"DRAINED {signals}");
                    break;
                case "PINGPONG":
                    var rounds = int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture);
                    for (var i = 0; i < rounds; i++)
                    {
                        node.WaitForSignal(dmb, TimeSpan.FromSeconds(30));
                        f.Move(peerToken, 0, reply, signal: true);
                    }

                    io.Send("DONE");
                    break;
                case "PIPE":
                    var count = int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture);
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
}
