using System.Collections.Concurrent;
using System.Diagnostics;

namespace IsmFabric.EndToEnd.Tests;

/// <summary>An ismfabric agent process (one LPAR) spoken to line by line over stdin/stdout.</summary>
public sealed class AgentProcess : IDisposable
{
    private readonly BlockingCollection<string> _lines = [];
    private readonly List<string> _seen = [];
    private readonly List<string> _pending = [];
    private readonly Thread _reader;

    public AgentProcess(params string[] args)
    {
        Process = Process.Start(Ismfabric.StartInfo(args))!;
        _reader = new Thread(() =>
        {
            try
            {
                while (Process.StandardOutput.ReadLine() is { } line)
                {
                    _lines.Add(line);
                }
            }
            catch (Exception e) when (e is InvalidOperationException or ObjectDisposedException or IOException)
            {
                // the test is over and disposed the process
            }
            finally
            {
                _lines.CompleteAdding();
            }
        })
        { IsBackground = true };
        _reader.Start();
        Stderr = Process.StandardError.ReadToEndAsync();
    }

    public Process Process { get; }

    public Task<string> Stderr { get; }

    public IReadOnlyList<string> Seen => _seen;

    public void Send(string line)
    {
        Process.StandardInput.WriteLine(line);
        Process.StandardInput.Flush();
    }

    /// <summary>
    /// Waits for a line starting with <paramref name="prefix"/> and returns the rest; lines that arrived earlier and
    /// were not taken by another Expect count too, so the order of Expect calls does not matter.
    /// </summary>
    public string Expect(string prefix, TimeSpan timeout)
    {
        var earlier = _pending.FindIndex(l => l.StartsWith(prefix, StringComparison.Ordinal));
        if (earlier >= 0)
        {
            var line = _pending[earlier];
            _pending.RemoveAt(earlier);
            return line[prefix.Length..].Trim();
        }

        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !_lines.TryTake(out var line, left))
            {
                var why = _lines.IsCompleted ? $"the process ended (exit {(Process.HasExited ? Process.ExitCode : -1)}); stderr: {Tail(Stderr)}" : "timeout";
                throw new TimeoutException($"no line '{prefix}…' within {timeout.TotalSeconds} s ({why}); saw: {string.Join(" | ", _seen)}");
            }

            _seen.Add(line);
            Assert.False(line.StartsWith("ERROR", StringComparison.Ordinal) && !prefix.StartsWith("ERROR", StringComparison.Ordinal), line);
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..].Trim();
            }

            _pending.Add(line);
        }
    }

    private static string Tail(Task<string> stderr)
    {
        var text = stderr.IsCompleted ? stderr.Result : "(still running)";
        return text.Length > 4000 ? text[^4000..] : text;
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        _reader.Join(TimeSpan.FromSeconds(10));
        Process.Dispose();
        _lines.Dispose();
    }
}
