using System.Collections.Concurrent;
using System.Diagnostics;

namespace IsmFabric.EndToEnd.Tests;

/// <summary>An ismfabric agent process (one LPAR) spoken to line by line over stdin/stdout.</summary>
public sealed class AgentProcess : IDisposable
{
    private readonly BlockingCollection<string> _lines = [];
    private readonly List<string> _seen = [];

    public AgentProcess(params string[] args)
    {
        Process = Process.Start(Ismfabric.StartInfo(args))!;
        var reader = new Thread(() =>
        {
            while (Process.StandardOutput.ReadLine() is { } line)
            {
                _lines.Add(line);
            }

            _lines.CompleteAdding();
        })
        { IsBackground = true };
        reader.Start();
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

    /// <summary>Waits for a line starting with <paramref name="prefix"/>; returns the rest.</summary>
    public string Expect(string prefix, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !_lines.TryTake(out var line, left))
            {
                var why = _lines.IsCompleted ? $"the process ended (exit {(Process.HasExited ? Process.ExitCode : -1)}); stderr: {Stderr.Result}" : "timeout";
                throw new TimeoutException($"no line '{prefix}…' within {timeout.TotalSeconds} s ({why}); saw: {string.Join(" | ", _seen)}");
            }

            _seen.Add(line);
            Assert.False(line.StartsWith("ERROR", StringComparison.Ordinal), line);
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..].Trim();
            }
        }
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        Process.Dispose();
        _lines.Dispose();
    }
}
