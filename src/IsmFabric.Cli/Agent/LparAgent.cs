using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using IsmFabric.Emulation;
using IsmFabric.Ism;

namespace IsmFabric.Cli.Agent;

/// <summary>
/// An emulated LPAR for <c>ismfabric up</c>: brings up every function of the LPAR, sends a test-link request to each
/// peer on the same CHID once a second (the peer's driver answers in-band), and prints a STATUS line with what it
/// sees, until stdin says QUIT. A function that fails is reported and brought up again.
/// </summary>
internal static class LparAgent
{
    private static readonly TimeSpan Period = TimeSpan.FromSeconds(1);

    internal static int Run(string cec, string lpar)
    {
        var io = LineChannel.Console();
        using var quit = new CancellationTokenSource();

        // Ctrl-C in the terminal reaches the whole process group; 'ismfabric up' decides when we stop (QUIT or EOF).
        using var sigint = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGINT, c => c.Cancel = true);
        var stdin = new Thread(() =>
        {
            while (io.Receive() is { } line && line != "QUIT")
            {
            }

            quit.Cancel();
        })
        { IsBackground = true };
        stdin.Start();

        using var attached = EmulatedLpar.Attach(cec, lpar);
        var definition = EmulatedCec.Open(cec);
        var peersByChid = definition.Definition.Functions.Where(f => f.Lpar != lpar).GroupBy(f => f.Chid).ToDictionary(g => g.Key, g => g.ToList());
        definition.Dispose();
        var workers = attached.Functions
            .Select(f => new FunctionWorker(attached, f, peersByChid.GetValueOrDefault(f.Chid) ?? [], quit.Token))
            .ToList();
        foreach (var w in workers)
        {
            w.Start();
        }

        io.Send("READY");
        while (!quit.Token.WaitHandle.WaitOne(Period))
        {
            var status = new LparStatus(lpar, Environment.ProcessId, workers.Select(w => w.Status()).ToList());
            io.Send("STATUS " + JsonSerializer.Serialize(status, CliOutput.Json).ReplaceLineEndings(""));
        }

        foreach (var w in workers)
        {
            w.Join();
        }

        return 0;
    }

    /// <summary>One function: its interrupt loop and its keepalives, on a thread of its own.</summary>
    private sealed class FunctionWorker(EmulatedLpar lpar, FunctionDefinition definition, List<FunctionDefinition> peers, CancellationToken quit)
    {
        private readonly ConcurrentDictionary<ulong, (long SentAt, uint Sequence)> _pending = new();
        private readonly ConcurrentDictionary<ulong, double> _rtt = new();
        private readonly ConcurrentDictionary<ulong, long> _answered = new();
        private readonly ConcurrentDictionary<ulong, bool> _reachable = new();
        private Thread? _thread;
        private volatile bool _up;
        private volatile string? _error;
        private uint _sequence;

        internal void Start()
        {
            _thread = new Thread(Loop) { IsBackground = true, Name = $"ism-{definition.Fid:x}" };
            _thread.Start();
        }

        internal void Join() => _thread?.Join(TimeSpan.FromSeconds(10));

        internal FunctionStatus Status() => new(
            definition.Fid, $"0x{definition.Gid:x16}", definition.Chid, _up, _error,
            peers.Select(p => new PeerStatus(
                p.Lpar, $"0x{p.Gid:x16}", _reachable.GetValueOrDefault(p.Gid),
                _rtt.TryGetValue(p.Gid, out var rtt) ? Math.Round(rtt, 1) : null,
                _answered.GetValueOrDefault(p.Gid))).ToList());

        private void Loop()
        {
            while (!quit.IsCancellationRequested)
            {
                try
                {
                    using var function = new IsmFunction(lpar.OpenFunction(definition.Fid));
                    function.BringUp();
                    _up = true;
                    _error = null;
                    Serve(function);
                }
                catch (Exception e) when (e is IsmException or Vfio.VfioException)
                {
                    _up = false;
                    _error = e.Message;
                    quit.WaitHandle.WaitOne(TimeSpan.FromSeconds(1)); // then bring it up again
                }
            }
        }

        private void Serve(IsmFunction function)
        {
            var next = Stopwatch.GetTimestamp();
            while (!quit.IsCancellationRequested)
            {
                if (Stopwatch.GetTimestamp() >= next)
                {
                    next = Stopwatch.GetTimestamp() + (long)(Period.TotalSeconds * Stopwatch.Frequency);
                    Keepalive(function);
                }

                function.Interrupts.Wait(TimeSpan.FromMilliseconds(100), quit);
                foreach (var e in function.ProcessInterrupts().Events)
                {
                    if (e is { Type: IsmEventType.Software, Code: IsmEventCode.TestLink }
                        && TestLinkInfo.Decode(e.Info) is { Code: TestLinkInfo.Response } info
                        && _pending.TryRemove(e.Gid.Value, out var sent) && sent.Sequence == info.LinkGroupId)
                    {
                        _rtt[e.Gid.Value] = Stopwatch.GetElapsedTime(sent.SentAt).TotalMicroseconds;
                        _answered.AddOrUpdate(e.Gid.Value, 1, (_, n) => n + 1);
                        _reachable[e.Gid.Value] = true;
                    }
                    else if (e.Type == IsmEventType.Device)
                    {
                        _reachable[e.Gid.Value] = false;
                    }
                }
            }
        }

        private void Keepalive(IsmFunction function)
        {
            foreach (var peer in peers)
            {
                // A request still unanswered after a whole period means the peer did not answer in time.
                if (_pending.ContainsKey(peer.Gid))
                {
                    _reachable[peer.Gid] = false;
                }

                if (!function.QueryRemoteGid(new Gid(peer.Gid)))
                {
                    _reachable[peer.Gid] = false;
                    _pending.TryRemove(peer.Gid, out _);
                    continue;
                }

                var seq = ++_sequence;
                _pending[peer.Gid] = (Stopwatch.GetTimestamp(), seq);
                try
                {
                    function.SignalEvent(new Gid(peer.Gid), IsmEventCode.TestLink, new TestLinkInfo(seq, 0, TestLinkInfo.Request).Encode());
                }
                catch (IsmCommandException)
                {
                    _reachable[peer.Gid] = false;
                    _pending.TryRemove(peer.Gid, out _);
                }
            }
        }
    }
}
