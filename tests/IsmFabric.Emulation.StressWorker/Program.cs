using System.Diagnostics;
using System.Globalization;
using IsmFabric.Emulation;
using IsmFabric.Ism;

// One LPAR process of the crash stress test (tests/IsmFabric.Emulation.Tests/CrashStressTests.cs): attaches its LPAR,
// brings its function up and, until it is killed, registers and unregisters DMBs for its peers, moves into theirs
// (tokens are exchanged through small files), signals events and drains interrupts. Every 100 ms it prints
// "PROGRESS <operations> <longest command ms>" on stdout; commands that overlapped a stop of this process (a gap of
// the ticker thread) do not count towards the longest.
var cecDir = args[0];
var lparName = args[1];
var random = new Random(int.Parse(args[2], CultureInfo.InvariantCulture));
var tokenDir = Path.Combine(cecDir, "stress-tokens");
Directory.CreateDirectory(tokenDir);

var ticker = new Ticker();
EmulatedLpar lpar = Retry(() => EmulatedLpar.Attach(cecDir, lparName));
using var device = Retry(() => lpar.OpenFunction(lpar.Functions[0].Fid));
using var function = new IsmFunction(device);
Retry(() =>
{
    function.BringUp();
    return 0;
});

CecDefinition definition;
using (var cec = EmulatedCec.Open(cecDir))
{
    definition = cec.Definition;
}

var peers = definition.Functions.Where(f => f.Lpar != lparName && f.Chid == lpar.Functions[0].Chid).ToArray();
var mine = new List<Dmb>();
var payload = new byte[65536];
random.NextBytes(payload);
long operations = 0, longestTicks = 0;
var lastReport = Stopwatch.GetTimestamp();
while (true)
{
    var op = random.Next(100);
    var started = Stopwatch.GetTimestamp();
    var gapsBefore = ticker.Gaps;
    try
    {
        if (op < 25 && mine.Count < 8)
        {
            var peer = peers[random.Next(peers.Length)];
            mine.Add(function.RegisterDmb(65536, new Gid(peer.Gid)));
            PublishTokens();
        }
        else if (op < 45 && mine.Count > 0)
        {
            var dmb = mine[random.Next(mine.Count)];
            mine.Remove(dmb); // whatever UNREG answers, the driver owns what happens to the buffer now
            PublishTokens();
            function.UnregisterDmb(dmb);
        }
        else if (op < 95)
        {
            var peer = peers[random.Next(peers.Length)];
            var token = TokenFor(peer.Lpar);
            if (token is { } t)
            {
                var length = random.Next(1, 17) * 4096;
                function.Move(new DmbToken(t), 0, payload.AsSpan(0, length), signal: random.Next(4) == 0);
            }
        }
        else
        {
            function.SignalEvent(new Gid(peers[random.Next(peers.Length)].Gid), 0x42, (ulong)operations);
        }
    }
    catch (Exception e) when (e is IsmException or IOException or InvalidOperationException)
    {
        // Stale tokens, busy commands, peers that just died: expected under this test; the state must stay sound.
    }

    if (ticker.Gaps == gapsBefore)
    {
        longestTicks = Math.Max(longestTicks, Stopwatch.GetTimestamp() - started);
    }

    operations++;
    if (operations % 32 == 0)
    {
        function.ProcessInterrupts();
        Thread.Sleep(1); // leave the cores to the others now and then
    }

    if (Stopwatch.GetElapsedTime(lastReport) > TimeSpan.FromMilliseconds(100))
    {
        Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"PROGRESS {operations} {Stopwatch.GetElapsedTime(0, longestTicks).TotalMilliseconds:0}"));
        Console.Out.Flush();
        lastReport = Stopwatch.GetTimestamp();
    }
}

void PublishTokens()
{
    var lines = mine.Select(d => string.Create(CultureInfo.InvariantCulture, $"{d.RemoteGid.Value:x16} {d.Token.Value:x16}"));
    var temp = Path.Combine(tokenDir, $".{lparName}.{Environment.ProcessId}");
    File.WriteAllLines(temp, lines);
    File.Move(temp, Path.Combine(tokenDir, lparName), overwrite: true);
}

ulong? TokenFor(string peerLpar)
{
    try
    {
        var gid = lpar.Functions[0].Gid;
        var tokens = File.ReadAllLines(Path.Combine(tokenDir, peerLpar))
            .Select(l => l.Split(' '))
            .Where(w => w.Length == 2 && ulong.Parse(w[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture) == gid)
            .Select(w => ulong.Parse(w[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture))
            .ToArray();
        return tokens.Length == 0 ? null : tokens[random.Next(tokens.Length)];
    }
    catch (IOException)
    {
        return null;
    }
}

static T Retry<T>(Func<T> attempt)
{
    var until = Stopwatch.GetTimestamp() + (Stopwatch.Frequency * 20);
    while (true)
    {
        try
        {
            return attempt();
        }
        catch (Exception e) when ((e is InvalidOperationException or IOException or IsmException) && Stopwatch.GetTimestamp() < until)
        {
            Thread.Sleep(20); // a predecessor's reclaim, a stopped lock holder
        }
    }
}

/// <summary>Counts gaps of more than 100 ms between its 10 ms ticks: the process was stopped (or starved) meanwhile.</summary>
internal sealed class Ticker
{
    private long _gaps;

    public Ticker()
    {
        var thread = new Thread(() =>
        {
            var last = Stopwatch.GetTimestamp();
            while (true)
            {
                Thread.Sleep(10);
                var now = Stopwatch.GetTimestamp();
                if (Stopwatch.GetElapsedTime(last, now) > TimeSpan.FromMilliseconds(100))
                {
                    Interlocked.Increment(ref _gaps);
                }

                last = now;
            }
        }) { IsBackground = true, Name = "ticker" };
        thread.Start();
    }

    public long Gaps => Interlocked.Read(ref _gaps);
}
